/**
 * The worker side of quarryd's watcher/worker pair: how a process knows it is the worker (the watcher sets
 * QUARRY_WORKER, as osquery sets OSQUERY_WORKER), ending when its watcher is gone, and the test-only faults the
 * watcher tests trigger.
 */
import koffi from 'koffi';

export const WORKER_ENV = 'QUARRY_WORKER';
/** 1 for the first worker a watcher starts, 2 for its first replacement, ... */
export const WORKER_GENERATION_ENV = 'QUARRY_WORKER_GENERATION';
/**
 * Test-only: `segv@S` makes the first worker crash in a native call (raise(SIGSEGV) through koffi) S seconds after
 * it finished starting; `memory@S` makes it allocate 64 MiB a second from then on. Later workers are left alone.
 */
export const WORKER_TEST_FAULT_ENV = 'QUARRY_WORKER_TEST_FAULT';

export function isWorkerProcess(): boolean {
  return process.env[WORKER_ENV] === '1';
}

/** Calls `onGone` once when the watcher that started this worker has exited (the worker was re-parented). */
export function watchWatcher(onGone: () => void): () => void {
  const watcher = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === watcher) return;
    clearInterval(timer);
    onGone();
  }, 500);
  timer.unref();
  return () => clearInterval(timer);
}

/** Arms QUARRY_WORKER_TEST_FAULT in the first worker; returns what disarms it. */
export function armTestFault(): () => void {
  const spec = process.env[WORKER_TEST_FAULT_ENV];
  if (!spec || !isWorkerProcess() || process.env[WORKER_GENERATION_ENV] !== '1') return () => {};
  const match = /^(segv|memory)@(\d+(?:\.\d+)?)$/.exec(spec);
  if (!match) throw new Error(`${WORKER_TEST_FAULT_ENV}=${spec}: expected segv@SECONDS or memory@SECONDS`);
  const held: Buffer[] = [];
  let grow: NodeJS.Timeout | undefined;
  const start = setTimeout(() => {
    if (match[1] === 'segv') {
      const raise = koffi.load('libc.so.6').func('int raise(int sig)') as (signal: number) => number;
      raise(11);
      return;
    }
    grow = setInterval(() => held.push(Buffer.alloc(64 * 1024 * 1024, 1)), 1000);
  }, Number(match[2]) * 1000);
  return () => {
    clearTimeout(start);
    clearInterval(grow);
    held.length = 0;
  };
}
