/**
 * What a query worker thread holds, for the watchdog's per-worker memory budget (2 × --watchdog_memory_limit): the
 * JS heap in use (rows, strings, the serialized result) plus V8's external memory, which counts array buffers,
 * Buffers and the sqlite-wasm linear memory (SQLite's heap, which never shrinks once grown). Read from
 * v8.getHeapStatistics() of the worker's own isolate (~0.5 µs), so it is checked after every batch of queries.
 * What the worker held once it was ready — its tables' code and data, SQLite's initial heap, a view over the
 * memory-mapped LMDB file (file pages, not memory it allocated) — is its baseline: the budget is for what queries
 * make it hold beyond that (the fixed cost of a worker is part of the daemon's own, the `+ 250 MB` of the target).
 */
import { getHeapStatistics } from 'node:v8';

const MB = 1024 * 1024;

export interface HeldMemory {
  heapBytes: number;
  externalBytes: number;
  totalBytes: number;
}

export interface MemoryBaseline {
  heapBytes: number;
  externalBytes: number;
}

/** What the worker holds now beyond `baseline` (see memoryBaseline). */
export function heldMemory(baseline: MemoryBaseline = { heapBytes: 0, externalBytes: 0 }): HeldMemory {
  const stats = getHeapStatistics();
  const heapBytes = Math.max(0, stats.used_heap_size - baseline.heapBytes);
  const externalBytes = Math.max(0, stats.external_memory - baseline.externalBytes);
  return { heapBytes, externalBytes, totalBytes: heapBytes + externalBytes };
}

/** What the worker holds now: call once it is ready, and pass the result to heldMemory. */
export function memoryBaseline(): MemoryBaseline {
  const stats = getHeapStatistics();
  return { heapBytes: stats.used_heap_size, externalBytes: stats.external_memory };
}

/**
 * The reason to replace this worker when it holds more than its budget (2 × `limitMb`), else undefined. `limitMb`
 * 0: no budget (--disable_watchdog).
 */
export function overBudget(limitMb: number, held: HeldMemory): string | undefined {
  if (limitMb <= 0 || held.totalBytes <= 2 * limitMb * MB) return undefined;
  const mb = (bytes: number) => Math.round(bytes / MB);
  return `query worker holds ${mb(held.totalBytes)}MB more than when it started (JS heap ${mb(held.heapBytes)}MB; external, array buffers and SQLite's wasm memory ${mb(held.externalBytes)}MB), over 2 x --watchdog_memory_limit=${limitMb}MB; replacing it to give the memory back`;
}

/** The largest result (bytes of TEXT/BLOB values, counted before they are copied) a worker builds: a quarter of the limit. */
export function maxResultBytes(limitMb: number): number {
  return limitMb > 0 ? Math.floor((limitMb * MB) / 4) : 0;
}

/** The 503 message of a result over maxResultBytes(limitMb). */
export function resultTooLargeMessage(limitMb: number): string {
  const cap = Math.round((maxResultBytes(limitMb) / MB) * 10) / 10;
  return `Memory limits exceeded: the query's result is larger than ${cap}MB, the result size limit (a quarter of --watchdog_memory_limit=${limitMb}MB); narrow it with WHERE, LIMIT or fewer columns, or raise --watchdog_memory_limit`;
}
