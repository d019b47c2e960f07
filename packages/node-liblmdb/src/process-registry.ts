/**
 * The environments open in this process, visible from every thread.
 *
 * Node gives each worker thread its own module instances, so the registry lives in SharedArrayBuffers: the first
 * thread that loads node-liblmdb creates them and publishes them with `worker_threads.setEnvironmentData`, which
 * every Worker spawned afterwards inherits (and passes on to its own workers). Load node-liblmdb in the main thread
 * before starting workers (importing it is enough) so that all threads share one registry.
 *
 * Each slot holds one environment: its real path, the MDB_env* address, where data.mdb is mapped, and a reference
 * count. A small spin lock (Atomics) guards the whole registry; it is only taken to open, attach or close.
 */
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';

const REGISTRY_KEY = 'node-liblmdb:registry';
const SLOTS = 64;
const PATH_BYTES = 1024;

interface RegistryBuffers {
  /** [0]: lock; then per slot: refs, path length. */
  readonly ints: SharedArrayBuffer;
  /** Per slot: env address, map address, map size. */
  readonly numbers: SharedArrayBuffer;
  readonly paths: SharedArrayBuffer;
}

export interface RegisteredEnvironment {
  readonly slot: number;
  readonly path: string;
  readonly address: number;
  readonly mapAddress: number;
  readonly mapSize: number;
}

function registryBuffers(): RegistryBuffers {
  const existing = getEnvironmentData(REGISTRY_KEY) as RegistryBuffers | undefined;
  if (existing) return existing;
  const created: RegistryBuffers = {
    ints: new SharedArrayBuffer(4 * (1 + SLOTS * 2)),
    numbers: new SharedArrayBuffer(8 * SLOTS * 3),
    paths: new SharedArrayBuffer(SLOTS * PATH_BYTES),
  };
  setEnvironmentData(REGISTRY_KEY, created);
  return created;
}

const buffers = registryBuffers();
const ints = new Int32Array(buffers.ints);
const numbers = new Float64Array(buffers.numbers);
const paths = new Uint8Array(buffers.paths);

function locked<T>(body: () => T): T {
  while (Atomics.compareExchange(ints, 0, 0, 1) !== 0) Atomics.wait(ints, 0, 1, 1);
  try {
    return body();
  } finally {
    Atomics.store(ints, 0, 0);
    Atomics.notify(ints, 0, 1);
  }
}

const refsIndex = (slot: number) => 1 + slot * 2;

function slotPath(slot: number): string {
  const length = ints[2 + slot * 2] as number;
  return Buffer.from(paths.subarray(slot * PATH_BYTES, slot * PATH_BYTES + length)).toString('utf8');
}

function entry(slot: number): RegisteredEnvironment {
  return {
    slot,
    path: slotPath(slot),
    address: numbers[slot * 3] as number,
    mapAddress: numbers[slot * 3 + 1] as number,
    mapSize: numbers[slot * 3 + 2] as number,
  };
}

function findSlot(path: string): number {
  for (let slot = 0; slot < SLOTS; slot++) {
    if ((ints[refsIndex(slot)] as number) > 0 && slotPath(slot) === path) return slot;
  }
  return -1;
}

/**
 * Attaches to the environment registered for `path` (one more reference), or, when none is, calls `open` (still
 * holding the registry lock, so two threads never open one path at once) and registers what it returns.
 */
export function attachOrOpen(
  path: string,
  open: () => { address: number; mapAddress: number; mapSize: number },
): { registered: RegisteredEnvironment; attached: boolean } {
  const encoded = Buffer.from(path, 'utf8');
  if (encoded.length > PATH_BYTES) throw new RangeError(`LMDB environment path is longer than ${PATH_BYTES} bytes: ${path}`);
  return locked(() => {
    const found = findSlot(path);
    if (found >= 0) {
      ints[refsIndex(found)] = (ints[refsIndex(found)] as number) + 1;
      return { registered: entry(found), attached: true };
    }
    let slot = -1;
    for (let s = 0; s < SLOTS && slot < 0; s++) if ((ints[refsIndex(s)] as number) === 0) slot = s;
    if (slot < 0) throw new RangeError(`This process already has ${SLOTS} LMDB environments open`);
    const opened = open();
    paths.set(encoded, slot * PATH_BYTES);
    ints[2 + slot * 2] = encoded.length;
    numbers[slot * 3] = opened.address;
    numbers[slot * 3 + 1] = opened.mapAddress;
    numbers[slot * 3 + 2] = opened.mapSize;
    ints[refsIndex(slot)] = 1;
    return { registered: entry(slot), attached: false };
  });
}

/** Gives back one reference; runs `close` (under the lock) when it was the last one. */
export function release(registered: RegisteredEnvironment, close: () => void): void {
  locked(() => {
    const index = refsIndex(registered.slot);
    const refs = (ints[index] as number) - 1;
    ints[index] = Math.max(0, refs);
    if (refs === 0) close();
  });
}

/** References to `path`'s environment in this process (0: not open). */
export function references(path: string): number {
  return locked(() => {
    const slot = findSlot(path);
    return slot < 0 ? 0 : (ints[refsIndex(slot)] as number);
  });
}
