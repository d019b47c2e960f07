/**
 * listxattr(2) and getxattr(2) from libc through koffi, loaded on the first extended_attributes query. Both follow
 * symlinks (as osquery, which open()s the path) and read by path, so nothing is opened: a FIFO cannot block and a
 * device's open side effects never happen.
 */
import { createRequire } from 'node:module';
import type * as KoffiModule from 'koffi';

const requireModule = createRequire(import.meta.url);
let koffiModule: typeof KoffiModule | undefined;
function koffiLib(): typeof KoffiModule {
  koffiModule ??= requireModule('koffi') as typeof KoffiModule;
  return koffiModule;
}

interface XattrCalls {
  listxattr(path: string, list: Buffer | null, size: number): number;
  getxattr(path: string, name: string, value: Buffer | null, size: number): number;
}

let calls: XattrCalls | undefined;

function libc(): XattrCalls {
  if (calls) return calls;
  const lib = koffiLib().load('libc.so.6');
  calls = {
    listxattr: lib.func('intptr_t listxattr(const char *path, void *list, size_t size)'),
    getxattr: lib.func('intptr_t getxattr(const char *path, const char *name, void *value, size_t size)'),
  } as unknown as XattrCalls;
  return calls;
}

/** A failed call's errno as its name (ENOENT, ENOTSUP, …), or the number when koffi has no name for it. */
export class XattrError extends Error {
  constructor(readonly call: string, readonly path: string, readonly code: string) {
    super(`${call}(${path}) failed: ${code}`);
    this.name = 'XattrError';
  }
}

function errnoName(): string {
  const k = koffiLib();
  const value = k.errno();
  for (const [name, number] of Object.entries(k.os.errno)) if (number === value) return name;
  return String(value);
}

/** Retries a size-then-fill call while the attribute grows between the two calls (ERANGE). */
function sized(call: string, path: string, query: (buffer: Buffer | null, size: number) => number): Buffer {
  for (let attempt = 0; attempt < 8; attempt++) {
    const size = query(null, 0);
    if (size < 0) throw new XattrError(call, path, errnoName());
    if (size === 0) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size);
    const filled = query(buffer, size);
    if (filled >= 0) return buffer.subarray(0, filled);
    const code = errnoName();
    if (code !== 'ERANGE') throw new XattrError(call, path, code);
  }
  throw new XattrError(call, path, 'ERANGE');
}

/** The names of `path`'s extended attributes, in the kernel's order. Throws XattrError (code ENOENT, ENOTSUP, …). */
export function listAttributeNames(path: string): string[] {
  const list = sized('listxattr', path, (buffer, size) => libc().listxattr(path, buffer, size));
  const names: string[] = [];
  let start = 0;
  for (let index = 0; index < list.length; index++) {
    if (list[index] !== 0) continue;
    if (index > start) names.push(list.subarray(start, index).toString('utf8'));
    start = index + 1;
  }
  return names;
}

/** One attribute's raw value. Throws XattrError (ENODATA when it vanished, …). */
export function readAttribute(path: string, name: string): Buffer {
  return sized('getxattr', path, (buffer, size) => libc().getxattr(path, name, buffer, size));
}
