/**
 * osquery's user_data tables (shell_history, authorized_keys, …): with a uid constraint, every constrained account;
 * without one, only the account Quarry runs as, with osquery's warning to JOIN against users.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync } from 'node:fs';
import type { QueryContext } from '@quarry/sql';
import { integerEqualities, readOpenedFile, tryOpenRegularFile } from '../system/host-files.js';
import { nssPasswd, readPasswd, type PasswdEntry } from './account-files.js';

/** The accounts a user_data table covers for this query. Accounts missing locally are looked up through NSS. */
export function userDataAccounts(context: QueryContext): PasswdEntry[] {
  const constrained = integerEqualities(context.equals('uid'));
  if (constrained.length === 0) {
    // A uid constraint other than equality (uid > 0, uid LIKE …): every local account, SQLite filters the rest.
    if (context.isConstrained('uid')) return readPasswd();
    context.session.warn(
      `The ${context.table} table returns data based on the current user by default, consider JOINing against the users table`,
    );
  }
  const uids = constrained.length > 0 ? constrained : [process.getuid?.() ?? 0];
  const local = readPasswd();
  const accounts: PasswdEntry[] = [];
  for (const uid of uids) {
    const account = local.find((entry) => entry.uid === uid) ?? nssPasswd([String(uid)])[0];
    if (account !== undefined) accounts.push(account);
  }
  return accounts;
}

/** Resolves a path inside a pid_with_namespace root (files/namespace-roots.ts NamespaceRoot). */
export interface PathResolver {
  path(path: string): string | undefined;
}

/** osquery's --read_max default (50 MiB): per-user files larger than this are not read. */
export const USER_FILE_MAX_BYTES = 50 * 1024 * 1024;

/**
 * Opens the directory `relative` (components below the home directory, '' for home itself) of `account`, under
 * `root` (a pid_with_namespace root, resolved inside it; the host's when omitted). The home directory comes from passwd and is followed;
 * every component below it belongs to the user and is opened with O_NOFOLLOW through the descriptor of its parent
 * (/proc/self/fd/N/name), so a user's symlink (~/.ssh → /root/.ssh) is never followed. Undefined when refused.
 */
function openUserDirectory(root: PathResolver | undefined, account: PasswdEntry, components: readonly string[]): number | undefined {
  const home = root === undefined ? account.directory : root.path(account.directory);
  if (home === undefined) return undefined;
  let fd: number;
  try {
    fd = openSync(home, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch {
    return undefined;
  }
  for (const component of components) {
    if (component === '..' || component === '.' || component === '') {
      closeSync(fd);
      return undefined;
    }
    let next: number;
    try {
      next = openSync(`/proc/self/fd/${fd}/${component}`, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
    } catch {
      closeSync(fd);
      return undefined;
    }
    closeSync(fd);
    fd = next;
  }
  return fd;
}

/** The components of `path` below the account's home directory, or undefined when it is not below it. */
function belowHome(path: string, account: PasswdEntry): string[] | undefined {
  const home = account.directory.replace(/\/+$/, '');
  if (!path.startsWith(`${home}/`)) return undefined;
  return path.slice(home.length + 1).split('/');
}

/**
 * A file of a user's home (`path` as the user sees it, e.g. ~/.ssh/authorized_keys), read as root without trusting
 * the user: no symlink below the home directory is followed, the file is opened O_NONBLOCK (a FIFO cannot hang the
 * query) and fstat'ed, it must be a regular file owned by the account or by root, and it is not read when larger
 * than `maxBytes`. Undefined when any of that fails. `root` is a pid_with_namespace root (the host's when omitted).
 */
export function readUserFile(path: string, account: PasswdEntry, maxBytes: number = USER_FILE_MAX_BYTES, root?: PathResolver): Buffer | undefined {
  const components = belowHome(path, account);
  if (components === undefined || components.length === 0) return undefined;
  const directory = openUserDirectory(root, account, components.slice(0, -1));
  if (directory === undefined) return undefined;
  try {
    const file = tryOpenRegularFile(`/proc/self/fd/${directory}/${components[components.length - 1]}`, { noFollow: true });
    if (file === undefined) return undefined;
    if (file.stats.uid !== account.uid && file.stats.uid !== 0) {
      closeSync(file.fd);
      return undefined;
    }
    return readOpenedFile(file, maxBytes);
  } finally {
    closeSync(directory);
  }
}

/** Entry names (sorted) of a directory of a user's home, opened as readUserFile opens directories; [] when refused. */
export function listUserDirectory(path: string, account: PasswdEntry, root?: PathResolver): string[] {
  const components = belowHome(path, account);
  if (components === undefined) return [];
  const directory = openUserDirectory(root, account, components);
  if (directory === undefined) return [];
  try {
    if (!fstatSync(directory).isDirectory()) return [];
    return readdirSync(`/proc/self/fd/${directory}`).sort();
  } catch {
    return [];
  } finally {
    closeSync(directory);
  }
}
