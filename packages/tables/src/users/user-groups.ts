import type { TableDefinition } from '@quarry/sql';
import { integerEqualities } from '../system/host-files.js';
import { groupIdsOf, readGroups, readPasswd } from './account-files.js';

/** Every (uid, gid) membership: each account's primary group and every /etc/group entry that lists it. */
export const userGroups: TableDefinition = {
  name: 'user_groups',
  description: 'Local system user group relationships.',
  columns: [
    { name: 'uid', type: 'BIGINT', index: true, optimized: true, description: 'User ID' },
    { name: 'gid', type: 'BIGINT', index: true, description: 'Group ID' },
  ],
  *generate(context) {
    const uids = integerEqualities(context.equals('uid'));
    const gids = integerEqualities(context.equals('gid'));
    const groupList = readGroups();
    for (const account of readPasswd()) {
      if (uids.length > 0 && !uids.includes(account.uid)) continue;
      for (const gid of groupIdsOf(account, groupList)) {
        if (gids.length > 0 && !gids.includes(gid)) continue;
        yield { uid: account.uid, gid };
      }
    }
  },
};
