/**
 * osquery's user_data tables (shell_history, authorized_keys, …): with a uid constraint, every constrained account;
 * without one, only the account Quarry runs as, with osquery's warning to JOIN against users.
 */
import type { QueryContext } from '@quarry/sql';
import { integerEqualities } from '../system/host-files.js';
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
