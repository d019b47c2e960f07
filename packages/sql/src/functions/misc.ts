/** parent_directory() and sleep(). */
import { SQLITE } from '../sqlite-runtime.js';
import type { SqlFunction } from './registry.js';

const PATH_SEPARATOR = process.platform === 'win32' ? '\\' : '/';
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** parent_directory(path): the text up to the last separator; NULL when there is none. */
const parentDirectory: SqlFunction = {
  name: 'parent_directory',
  arity: 1,
  deterministic: true,
  run(call) {
    if (call.type(0) !== SQLITE.TEXT) throw new Error('Invalid inputs to parent_directory, TEXT was expected');
    const path = call.text(0)!;
    const last = path.lastIndexOf(PATH_SEPARATOR);
    if (last < 0) return call.null();
    call.textResult(path.slice(0, last));
  },
};

/** sleep(n): sleeps n seconds (negative → 0) and returns n, but never past the statement's deadline. */
const sleep: SqlFunction = {
  name: 'sleep',
  arity: 1,
  run(call) {
    const seconds = call.number(0) ?? 0;
    const wanted = Math.max(0, seconds) * 1000;
    const allowed = Math.max(0, call.host.remainingMs());
    if (wanted > 0) Atomics.wait(sleeper, 0, 0, Math.min(wanted, allowed));
    if (wanted > allowed) call.host.deadlineReached();
    if (seconds < 0) return call.integer(0);
    call.result(call.value(0));
  },
};

export const miscFunctions: readonly SqlFunction[] = [parentDirectory, sleep];
