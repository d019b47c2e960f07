import { readFileSync } from 'node:fs';
import { QueryError, type TableDefinition } from '@quarry/sql';
import { nonEmptyLines } from '../system/host-files.js';

const SHADOW_PATH = '/etc/shadow';

/** /etc/shadow's text; undefined when the file does not exist; a clear QueryError when this user may not read it. */
function readShadow(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new QueryError(
        `shadow requires root: ${path} is not readable by uid ${process.getuid?.() ?? -1}; run the query as root`,
      );
    }
    return undefined;
  }
}

function passwordStatus(password: string): string {
  if (password === '!!') return 'not_set';
  if (password === '') return 'empty';
  if (password.startsWith('!') || password.startsWith('*') || password.startsWith('x')) return 'locked';
  return 'active';
}

/** A numeric shadow field; empty fields are -1, as getspent(3) reports them. */
function shadowNumber(field: string | undefined): number {
  if (field === undefined || field.trim() === '') return -1;
  const n = Number(field);
  return Number.isInteger(n) ? n : -1;
}

/** Local password metadata (never the hashes) from /etc/shadow; root only. */
export const shadow: TableDefinition = {
  name: 'shadow',
  description: 'Local system users encrypted passwords and related information. Please note, that you usually need superuser rights to access `/etc/shadow`.',
  columns: [
    { name: 'password_status', type: 'TEXT', description: 'Password status' },
    { name: 'hash_alg', type: 'TEXT', description: 'Password hashing algorithm' },
    { name: 'last_change', type: 'BIGINT', description: 'Date of last password change (starting from UNIX epoch date)' },
    { name: 'min', type: 'BIGINT', description: 'Minimal number of days between password changes' },
    { name: 'max', type: 'BIGINT', description: 'Maximum number of days between password changes' },
    { name: 'warning', type: 'BIGINT', description: 'Number of days before password expires to warn user about it' },
    { name: 'inactive', type: 'BIGINT', description: 'Number of days after password expires until account is blocked' },
    { name: 'expire', type: 'BIGINT', description: 'Number of days since UNIX epoch date until account is disabled' },
    { name: 'flag', type: 'BIGINT', description: 'Reserved' },
    { name: 'username', type: 'TEXT', index: true, optimized: true, description: 'Username' },
  ],
  *generate(context) {
    const text = readShadow(SHADOW_PATH);
    if (text === undefined) return;
    const usernames = context.equals('username').filter((v): v is string => typeof v === 'string');
    for (const line of nonEmptyLines(text)) {
      const fields = line.split(':');
      if (fields.length < 2 || line.startsWith('#')) continue;
      const username = fields[0]!;
      if (usernames.length > 0 && !usernames.includes(username)) continue;
      const password = fields[1]!;
      yield {
        password_status: passwordStatus(password),
        hash_alg: /^\$(\w+)\$/.exec(password)?.[1] ?? '',
        last_change: shadowNumber(fields[2]),
        min: shadowNumber(fields[3]),
        max: shadowNumber(fields[4]),
        warning: shadowNumber(fields[5]),
        inactive: shadowNumber(fields[6]),
        expire: shadowNumber(fields[7]),
        flag: shadowNumber(fields[8]),
        username,
      };
    }
  },
};
