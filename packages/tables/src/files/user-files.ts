/**
 * Accounts for the file tables that are per user (authorized_keys, known_hosts, user_ssh_keys, python_packages) and
 * owner names for those that show them. The account rules themselves live in users/user-data.ts.
 */
import { readGroups, readPasswd, type PasswdEntry } from '../users/account-files.js';
import { userDataAccounts } from '../users/user-data.js';

export type LocalUser = PasswdEntry;

/** The accounts a user_data table covers for this query: see userDataAccounts. */
export const usersFromContext = userDataAccounts;

/** Names of local users and groups by id, for tables that show owners. */
export function idNameMaps(): { users: Map<number, string>; groups: Map<number, string> } {
  const users = new Map<number, string>();
  for (const user of readPasswd()) if (!users.has(user.uid)) users.set(user.uid, user.username);
  const groups = new Map<number, string>();
  for (const group of readGroups()) if (!groups.has(group.gid)) groups.set(group.gid, group.groupname);
  return { users, groups };
}
