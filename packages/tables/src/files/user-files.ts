/**
 * osquery's user_data tables: without a uid constraint they cover only the user Quarry runs as; with
 * `uid = N` (or a JOIN on users, which arrives as one `=` per user) they cover those users; any other
 * uid constraint covers every local user and leaves the filtering to SQLite.
 */
import { userInfo } from 'node:os';
import type { QueryContext } from '@quarry/sql';
import { readLines } from './fs-read.js';

export interface LocalUser {
  readonly username: string;
  readonly uid: number;
  readonly gid: number;
  readonly directory: string;
  readonly shell: string;
}

/** The accounts of a passwd(5) file; malformed lines are skipped. */
export function readLocalUsers(passwdPath = '/etc/passwd'): LocalUser[] {
  const users: LocalUser[] = [];
  for (const line of readLines(passwdPath)) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const fields = line.split(':');
    if (fields.length < 7) continue;
    const uid = Number(fields[2]);
    const gid = Number(fields[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    users.push({ username: fields[0]!, uid, gid, directory: fields[5]!, shell: fields[6]! });
  }
  return users;
}

function currentUser(users: readonly LocalUser[]): LocalUser {
  const uid = process.getuid?.() ?? 0;
  const known = users.find((user) => user.uid === uid);
  if (known) return known;
  const info = userInfo();
  return { username: info.username, uid, gid: process.getgid?.() ?? 0, directory: info.homedir, shell: info.shell ?? '' };
}

/** The users a user_data table covers for this query (see the module comment). */
export function usersFromContext(context: QueryContext, column = 'uid'): LocalUser[] {
  const users = readLocalUsers();
  const wanted = context.equals(column).map((value) => Number(value));
  if (wanted.length > 0) {
    const seen = new Set<number>();
    const out: LocalUser[] = [];
    for (const uid of wanted) {
      if (seen.has(uid)) continue;
      seen.add(uid);
      const user = users.find((candidate) => candidate.uid === uid);
      if (user) out.push(user);
    }
    return out;
  }
  if (context.isConstrained(column)) return users;
  return [currentUser(users)];
}

/** Names of local users and groups by id, for tables that show owners. */
export function idNameMaps(): { users: Map<number, string>; groups: Map<number, string> } {
  const users = new Map<number, string>();
  for (const user of readLocalUsers()) if (!users.has(user.uid)) users.set(user.uid, user.username);
  const groups = new Map<number, string>();
  for (const line of readLines('/etc/group')) {
    const fields = line.split(':');
    const gid = Number(fields[2]);
    if (fields.length >= 3 && Number.isInteger(gid) && !groups.has(gid)) groups.set(gid, fields[0]!);
  }
  return { users, groups };
}
