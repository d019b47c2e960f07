import type { QueryContext, TableDefinition } from '@quarry/sql';
import { integerEqualities } from '../system/host-files.js';
import { namespaceRoots, PID_WITH_NAMESPACE, type NamespaceRoot } from '../files/namespace-roots.js';
import { nssPasswd, readPasswd, signedId, type PasswdEntry } from './account-files.js';

/** The accounts a query asks for: /etc/passwd (or NSS with include_remote=1), filtered by uid / username equalities. */
function* selectedAccounts(context: QueryContext, root: NamespaceRoot): Generator<PasswdEntry> {
  const uids = integerEqualities(context.equals('uid'));
  const usernames = context.equals('username').filter((v): v is string => typeof v === 'string');
  const remote = integerEqualities(context.equals('include_remote')).includes(1);
  let accounts: PasswdEntry[];
  if (remote) {
    const keys = [...uids.map(String), ...usernames];
    accounts = keys.length > 0 ? nssPasswd(keys) : nssPasswd();
  } else {
    const passwd = root.path('/etc/passwd');
    accounts = passwd === undefined ? [] : readPasswd(passwd);
  }
  const seen = new Set<string>();
  for (const account of accounts) {
    if (uids.length > 0 && !uids.includes(account.uid)) continue;
    if (usernames.length > 0 && !usernames.includes(account.username)) continue;
    const key = `${account.uid}:${account.username}`;
    if (seen.has(key)) continue;
    seen.add(key);
    yield account;
  }
}

/** Local user accounts: /etc/passwd only by default, as osquery (no NSS, so no LDAP lookups). */
export const users: TableDefinition = {
  name: 'users',
  description: 'Local user accounts (including domain accounts that have logged on locally (Windows)).',
  columns: [
    { name: 'uid', type: 'BIGINT', index: true, description: 'User ID' },
    { name: 'gid', type: 'BIGINT', description: 'Group ID (unsigned)' },
    { name: 'uid_signed', type: 'BIGINT', description: 'User ID as int64 signed (Apple)' },
    { name: 'gid_signed', type: 'BIGINT', description: 'Default group ID as int64 signed (Apple)' },
    { name: 'username', type: 'TEXT', additional: true, description: 'Username' },
    { name: 'description', type: 'TEXT', description: 'Optional user description' },
    { name: 'directory', type: 'TEXT', description: "User's home directory" },
    { name: 'shell', type: 'TEXT', description: "User's configured default shell" },
    { name: 'uuid', type: 'TEXT', index: true, collate: 'nocase', description: "User's UUID (Apple) or SID (Windows)" },
    PID_WITH_NAMESPACE,
    { name: 'include_remote', type: 'INTEGER', additional: true, hidden: true, description: '1 to include remote (LDAP/AD) accounts (default 0). Warning: without any uid/username filtering it may list whole LDAP directories' },
  ],
  *generate(context) {
    const remote = integerEqualities(context.equals('include_remote')).includes(1) ? 1 : 0;
    for (const root of namespaceRoots(context)) {
      for (const account of selectedAccounts(context, root)) {
        yield {
          uid: account.uid,
          gid: account.gid,
          uid_signed: signedId(account.uid),
          gid_signed: signedId(account.gid),
          username: account.username,
          description: account.description,
          directory: account.directory,
          shell: account.shell,
          uuid: '',
          pid_with_namespace: root.pid,
          include_remote: remote,
        };
      }
    }
  },
};
