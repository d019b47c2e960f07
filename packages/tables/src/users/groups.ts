import type { TableDefinition } from '@quarry/sql';
import { integerEqualities } from '../system/host-files.js';
import { namespaceRoots, PID_WITH_NAMESPACE } from '../files/namespace-roots.js';
import { readGroups, signedId } from './account-files.js';

/** Local groups from /etc/group, filtered by gid equalities. */
export const groups: TableDefinition = {
  name: 'groups',
  description: 'Local system groups.',
  columns: [
    { name: 'gid', type: 'BIGINT', index: true, description: 'Unsigned int64 group ID' },
    { name: 'gid_signed', type: 'BIGINT', description: 'A signed int64 version of gid' },
    { name: 'groupname', type: 'TEXT', description: 'Canonical local group name' },
    PID_WITH_NAMESPACE,
  ],
  *generate(context) {
    const gids = integerEqualities(context.equals('gid'));
    for (const root of namespaceRoots(context)) {
      const groupFile = root.path('/etc/group');
      for (const group of groupFile === undefined ? [] : readGroups(groupFile)) {
        if (gids.length > 0 && !gids.includes(group.gid)) continue;
        yield { gid: group.gid, gid_signed: signedId(group.gid), groupname: group.groupname, pid_with_namespace: root.pid };
      }
    }
  },
};
