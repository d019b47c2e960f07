import type { TableDefinition } from '@quarry/sql';
import { groups } from './groups.js';
import { last } from './last.js';
import { loggedInUsers } from './logged-in-users.js';
import { shadow } from './shadow.js';
import { shellHistory } from './shell-history.js';
import { userGroups } from './user-groups.js';
import { users } from './users.js';

export { groups, last, loggedInUsers, shadow, shellHistory, userGroups, users };
export { userDataAccounts } from './user-data.js';

/** Accounts, groups, passwords metadata, shell history and login records. */
export const usersTables: TableDefinition[] = [users, groups, userGroups, shadow, shellHistory, last, loggedInUsers];
