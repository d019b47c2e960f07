/**
 * osquery's `extended_attributes` on Linux: one row per (file, attribute) for the files named by `path` (`=`, IN, LIKE
 * with % and %%) or found in `directory` (its non-directory entries). As osquery:
 *  - a value is text (base64 = 0) only when it ends in a NUL and every byte before it is printable ASCII; it is then
 *    shown without the NUL. Anything else is base64 (base64 = 1): of the whole value, or of the bytes before a final
 *    NUL. An empty value is '' with base64 = 1.
 *  - `security.capability` is decoded to libcap's text (`cap_net_raw=ep`, what `getcap` prints) and comes first;
 *    a value that does not decode is shown raw (base64).
 *  - symlinks are followed; a missing path gives no rows.
 * Attributes are read by path (listxattr/getxattr), so a FIFO never blocks and nothing is opened.
 */
import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { listDirectory, statPath } from '../system/host-files.js';
import { capabilitiesToText, parseFileCapabilities } from './file-capabilities.js';
import { listAttributeNames, readAttribute, XattrError } from './libc-xattr.js';
import { joinEntry, pathsFromConstraints, splitPath } from './path-patterns.js';

const SECURITY_CAPABILITY = 'security.capability';
/** Errors that mean "no attributes here" rather than a problem worth a warning. */
const QUIET_ERRORS = new Set(['ENOENT', 'ENOTDIR', 'ENOTSUP', 'EOPNOTSUPP', 'ENODATA']);

/** osquery's rendering of one raw value: text when NUL-terminated printable ASCII, else base64. */
export function renderAttributeValue(value: Uint8Array): { value: string; base64: number } {
  if (value.length === 0) return { value: '', base64: 1 };
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (bytes[bytes.length - 1] !== 0) return { value: bytes.toString('base64'), base64: 1 };
  const body = bytes.subarray(0, bytes.length - 1);
  const printable = body.every((byte) => byte >= 0x20 && byte <= 0x7e);
  return printable ? { value: body.toString('latin1'), base64: 0 } : { value: body.toString('base64'), base64: 1 };
}

function warnUnlessQuiet(context: QueryContext, error: unknown, path: string): void {
  if (error instanceof XattrError) {
    if (!QUIET_ERRORS.has(error.code)) context.session.warn(`extended_attributes: cannot read the extended attributes of ${path}: ${error.code}`);
    return;
  }
  throw error;
}

function* attributeRows(context: QueryContext, path: string, directory: string): Iterable<Row> {
  let names: string[];
  try {
    names = listAttributeNames(path);
  } catch (error) {
    warnUnlessQuiet(context, error, path);
    return;
  }
  const values = new Map<string, Buffer>();
  for (const name of names) {
    try {
      values.set(name, readAttribute(path, name));
    } catch (error) {
      warnUnlessQuiet(context, error, `${path} (${name})`);
    }
  }
  const capability = values.get(SECURITY_CAPABILITY);
  const decoded = capability === undefined ? undefined : parseFileCapabilities(capability);
  if (decoded) yield { path, directory, key: SECURITY_CAPABILITY, value: capabilitiesToText(decoded), base64: 0 };
  for (const [key, raw] of values) {
    if (key === SECURITY_CAPABILITY && decoded) continue;
    yield { path, directory, key, ...renderAttributeValue(raw) };
  }
}

function* generate(context: QueryContext): Iterable<Row> {
  for (const path of pathsFromConstraints(context, 'path', 'all')) {
    yield* attributeRows(context, path, splitPath(path).directory);
  }
  for (const directory of pathsFromConstraints(context, 'directory', 'folders')) {
    if (!statPath(directory)?.isDirectory()) continue;
    for (const name of listDirectory(directory)) {
      const path = joinEntry(directory, name);
      if (statPath(path)?.isDirectory()) continue;
      yield* attributeRows(context, path, directory);
    }
  }
}

export const extended_attributes: TableDefinition = {
  name: 'extended_attributes',
  description: 'Returns the extended attributes for files (similar to Windows ADS).',
  columns: [
    { name: 'path', type: 'TEXT', required: true, optimized: true, description: 'Absolute file path' },
    { name: 'directory', type: 'TEXT', required: true, optimized: true, description: 'Directory of file(s)' },
    { name: 'key', type: 'TEXT', description: 'Name of the value generated from the extended attribute' },
    { name: 'value', type: 'TEXT', description: 'The parsed information from the attribute' },
    { name: 'base64', type: 'INTEGER', description: '1 if the value is base64 encoded else 0' },
  ],
  generate,
};
