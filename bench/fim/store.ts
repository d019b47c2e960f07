/** Opens buffers' EventStore (real LMDB) for the bench. */
import { EventStore } from '@quarry/buffers';

export async function openBenchStore(dir: string, role: 'publisher' | 'consumer' = 'publisher'): Promise<{ store: EventStore; close(): Promise<void> }> {
  const store = EventStore.open(dir, { role });
  return { store, close: () => store.close() };
}
