/**
 * libaugeas (Debian's libaugeas0, Augeas 1.14) through koffi, loaded on the first augeas query. Only the calls the
 * augeas table needs: init/close, load one file or every configured file, match a path expression, read a node's
 * value, label and source file, and remove stale nodes. Strings are owned by libaugeas except aug_match's array and
 * aug_ns_attr's file path, which are released with libc free() as the API requires.
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

const LIBRARY_NAMES = ['libaugeas.so.0', '/usr/lib/x86_64-linux-gnu/libaugeas.so.0', '/usr/lib/aarch64-linux-gnu/libaugeas.so.0'];
const LIBC_NAMES = ['libc.so.6'];

/** aug_init flags (augeas.h). */
export const AUG_NO_STDINC = 1 << 3;
export const AUG_SAVE_NOOP = 1 << 4;
export const AUG_NO_LOAD = 1 << 5;
export const AUG_NO_ERR_CLOSE = 1 << 8;
/** aug_error codes (augeas.h) the table tells apart. */
export const AUG_NOERROR = 0;
export const AUG_ENOLENS = 7;

/** The Debian packages that provide the library and the lenses, for every "not available" message. */
export const AUGEAS_PACKAGES = 'libaugeas0 augeas-lenses';

/** The message a query gets when libaugeas cannot be loaded; `detail` is the loader's own error. */
export function augeasMissingMessage(detail: string): string {
  return `augeas is not available: libaugeas.so.0 could not be loaded (${detail || 'not found'}); install it with: apt-get install -y ${AUGEAS_PACKAGES}`;
}

export interface AugeasBinding {
  init(root: string | null, loadpath: string, flags: number): unknown;
  close(aug: unknown): void;
  error(aug: unknown): number;
  errorMessage(aug: unknown): string | null;
  errorMinorMessage(aug: unknown): string | null;
  errorDetails(aug: unknown): string | null;
  load(aug: unknown): number;
  loadFile(aug: unknown, file: string): number;
  defvar(aug: unknown, name: string, expr: string): number;
  match(aug: unknown, path: string, out: unknown[]): number;
  nsAttr(aug: unknown, variable: string, index: number, value: (string | null)[], label: (string | null)[], file: unknown[]): number;
  get(aug: unknown, path: string, value: (string | null)[]): number;
  rm(aug: unknown, path: string): number;
  free(pointer: unknown): void;
}

let binding: AugeasBinding | undefined;
let loadProblem: string | undefined;

function loadFirst(names: string[]): { lib?: LibraryHandle; failure: string } {
  const failures: string[] = [];
  for (const name of names) {
    try {
      return { lib: koffiLib().load(name), failure: '' };
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  return { failure: failures[0] ?? 'not found' };
}

/** Loads libaugeas once per process. Throws an Error naming the Debian packages to install when it is missing. */
export function loadLibaugeas(names: string[] = LIBRARY_NAMES): AugeasBinding {
  if (binding) return binding;
  if (loadProblem) throw new Error(loadProblem);
  const augeas = loadFirst(names);
  if (!augeas.lib) {
    loadProblem = augeasMissingMessage(augeas.failure);
    throw new Error(loadProblem);
  }
  const libc = loadFirst(LIBC_NAMES);
  if (!libc.lib) {
    loadProblem = `augeas is not available: libc.so.6 could not be loaded (${libc.failure})`;
    throw new Error(loadProblem);
  }
  const lib = augeas.lib;
  binding = {
    init: lib.func('void *aug_init(const char *root, const char *loadpath, unsigned int flags)'),
    close: lib.func('void aug_close(void *aug)'),
    error: lib.func('int aug_error(void *aug)'),
    errorMessage: lib.func('const char *aug_error_message(void *aug)'),
    errorMinorMessage: lib.func('const char *aug_error_minor_message(void *aug)'),
    errorDetails: lib.func('const char *aug_error_details(void *aug)'),
    load: lib.func('int aug_load(void *aug)'),
    loadFile: lib.func('int aug_load_file(void *aug, const char *file)'),
    defvar: lib.func('int aug_defvar(void *aug, const char *name, const char *expr)'),
    match: lib.func('int aug_match(void *aug, const char *path, _Out_ void **matches)'),
    nsAttr: lib.func(
      'int aug_ns_attr(void *aug, const char *var, int i, _Out_ const char **value, _Out_ const char **label, _Out_ void **file_path)',
    ),
    get: lib.func('int aug_get(void *aug, const char *path, _Out_ const char **value)'),
    rm: lib.func('int aug_rm(void *aug, const char *path)'),
    free: libc.lib.func('void free(void *ptr)'),
  } as unknown as AugeasBinding;
  return binding;
}

/** Reads the NUL-terminated UTF-8 string at `pointer`. */
export function decodeCString(pointer: unknown): string {
  return koffiLib().decode(pointer, 'char', -1) as string;
}

/** Reads element `index` of a `char **` array. */
export function decodePointerAt(array: unknown, index: number): unknown {
  return koffiLib().decode(array, index * koffiLib().sizeof('void *'), 'void *') as unknown;
}
