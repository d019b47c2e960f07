/** Owner names for the file tables that show them (suid_bin). */
import { readGroups, readPasswd } from '../users/account-files.js';

/** Names of local users and groups by id, for tables that show owners. */
export function idNameMaps(): { users: Map<number, string>; groups: Map<number, string> } {
  const users = new Map<number, string>();
  for (const user of readPasswd()) if (!users.has(user.uid)) users.set(user.uid, user.username);
  const groups = new Map<number, string>();
  for (const group of readGroups()) if (!groups.has(group.gid)) groups.set(group.gid, group.groupname);
  return { users, groups };
}
