import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { textLines } from '../system/host-files.js';
import { readUserFile, userDataAccounts } from '../users/user-data.js';

function* generate(context: QueryContext): Iterable<Row> {
  for (const user of userDataAccounts(context)) {
    const keyFile = `${user.directory}/.ssh/known_hosts`;
    for (const line of textLines(readUserFile(keyFile, user))) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      yield { uid: user.uid, key: line, key_file: keyFile };
    }
  }
}

export const known_hosts: TableDefinition = {
  name: 'known_hosts',
  description: 'A line-delimited known_hosts table.',
  attributes: { userData: true },
  columns: [
    { name: 'uid', type: 'BIGINT', index: true, optimized: true, description: 'The local user that owns the known_hosts file' },
    { name: 'key', type: 'TEXT', description: 'parsed authorized keys line' },
    { name: 'key_file', type: 'TEXT', description: 'Path to known_hosts file' },
  ],
  generate,
};
