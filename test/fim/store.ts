/** Opens a real LMDB event store (buffers' EventStore) in `dir` as the publisher. */
import { EventStore } from '@quarry/buffers';

export async function openTestStore(dir: string): Promise<{ store: EventStore; close(): Promise<void> }> {
  const store = EventStore.open(dir, { role: 'publisher' });
  return { store, close: () => store.close() };
}
