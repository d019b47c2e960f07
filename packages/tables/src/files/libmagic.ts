/**
 * libmagic (Debian's libmagic1, file 5.x) through koffi, loaded on the first magic query: open a cookie with a flag
 * set, load a database list into it, describe a file by name, read the cookie's last error, close it. Strings
 * magic_file and magic_error return belong to the cookie (valid until its next call); koffi copies them at once.
 *
 * libmagic opens the files it describes with O_RDONLY|O_NONBLOCK and answers FIFOs, sockets and devices from lstat
 * alone (without MAGIC_DEVICES, which Quarry never sets), so a FIFO cannot hang a query (checked with strace against
 * file 5.44).
 */
import { createRequire } from 'node:module';
import type * as KoffiModule from 'koffi';
import type { LibraryHandle } from 'koffi';

const requireModule = createRequire(import.meta.url);
let koffiModule: typeof KoffiModule | undefined;
function koffiLib(): typeof KoffiModule {
  koffiModule ??= requireModule('koffi') as typeof KoffiModule;
  return koffiModule;
}

const LIBRARY_NAMES = ['libmagic.so.1', '/usr/lib/x86_64-linux-gnu/libmagic.so.1', '/usr/lib/aarch64-linux-gnu/libmagic.so.1'];

/** magic_open flags (magic.h) the magic table uses: the description, the MIME type and the MIME encoding passes. */
export const MAGIC_NONE = 0x0000000;
export const MAGIC_MIME_TYPE = 0x0000010;
export const MAGIC_MIME_ENCODING = 0x0000400;

/** The Debian packages that provide the library and its compiled database, for every "not available" message. */
export const LIBMAGIC_PACKAGES = 'libmagic1 libmagic-mgc';

/** The message a query gets when libmagic cannot be loaded; `detail` is the loader's own error. */
export function libmagicMissingMessage(detail: string): string {
  return `magic is not available: libmagic.so.1 could not be loaded (${detail || 'not found'}); install it with: apt-get install -y ${LIBMAGIC_PACKAGES}`;
}

/** An opened magic_t; opaque to callers. */
export type MagicCookie = { readonly __magicCookie: unique symbol };

export interface LibmagicBinding {
  open(flags: number): MagicCookie | null;
  close(cookie: MagicCookie): void;
  /** 0 on success, -1 on failure (then `error` says why). `null` loads libmagic's compiled-in default list. */
  load(cookie: MagicCookie, databases: string | null): number;
  /** The description of `path` for the cookie's flags, or null when libmagic failed (then `error` says why). */
  file(cookie: MagicCookie, path: string): string | null;
  error(cookie: MagicCookie): string | null;
  /** libmagic's default database list (MAGIC env or the compiled-in path) when `databases` is null. */
  getpath(databases: string | null, action: number): string | null;
}

let binding: LibmagicBinding | undefined;
let loadProblem: string | undefined;

/**
 * Loads libmagic once per thread (the outcome for the default names is remembered). Throws an Error naming the
 * Debian packages to install when it is missing. Other `names` (a test's) are tried afresh each call.
 */
export function loadLibmagic(names: readonly string[] = LIBRARY_NAMES): LibmagicBinding {
  const isDefault = names === LIBRARY_NAMES;
  if (isDefault && binding) return binding;
  if (isDefault && loadProblem) throw new Error(loadProblem);
  const failures: string[] = [];
  let lib: LibraryHandle | undefined;
  for (const name of names) {
    try {
      lib = koffiLib().load(name);
      break;
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  if (!lib) {
    const problem = libmagicMissingMessage(failures[0] ?? '');
    if (isDefault) loadProblem = problem;
    throw new Error(problem);
  }
  const loaded = {
    open: lib.func('void *magic_open(int flags)'),
    close: lib.func('void magic_close(void *cookie)'),
    load: lib.func('int magic_load(void *cookie, const char *filename)'),
    file: lib.func('const char *magic_file(void *cookie, const char *filename)'),
    error: lib.func('const char *magic_error(void *cookie)'),
    getpath: lib.func('const char *magic_getpath(const char *magicfile, int action)'),
  } as unknown as LibmagicBinding;
  if (isDefault) binding = loaded;
  return loaded;
}
