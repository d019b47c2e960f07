import { join } from 'node:path';
import type { Row, TableDefinition } from '@quarry/sql';
import type { PasswdEntry } from './account-files.js';
import { listUserDirectory, readUserFile, userDataAccounts } from './user-data.js';

const HISTORY_FILES = ['.bash_history', '.zsh_history', '.zhistory', '.history', '.sh_history', '.ash_history'];
const BASH_TIMESTAMP = /^#(\d+)$/;
const ZSH_EXTENDED = /^: {0,10}(\d{1,11}):\d+;(.*)$/;

/** The history files osquery looks at in a home directory, including bash's per-session files on macOS-style setups. */
function historyPaths(account: PasswdEntry): string[] {
  const directory = account.directory;
  const sessions = join(directory, '.bash_sessions');
  const sessionFiles = listUserDirectory(sessions, account)
    .filter((name) => name.endsWith('.history'))
    .sort()
    .map((name) => join(sessions, name));
  return [...HISTORY_FILES.map((name) => join(directory, name)), ...sessionFiles];
}

/** Rows for one file: bash "#<epoch>" lines time the next command; zsh ": <epoch>:<elapsed>;cmd" lines carry their own. */
export function* parseHistory(text: string, uid: number, historyFile: string): Generator<Row> {
  let pendingBashTime: number | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length === 0) continue;
    const bash = BASH_TIMESTAMP.exec(line);
    if (pendingBashTime === undefined && bash !== null) {
      pendingBashTime = Number(bash[1]);
      continue;
    }
    let time = 0;
    let command = line;
    if (pendingBashTime !== undefined) {
      time = pendingBashTime;
      pendingBashTime = undefined;
    } else {
      const zsh = ZSH_EXTENDED.exec(line);
      if (zsh !== null) {
        time = Number(zsh[1]);
        command = zsh[2]!;
      }
    }
    yield { uid, time, command, history_file: historyFile };
  }
}

/** Shell history lines of the current user, or of every constrained uid. */
export const shellHistory: TableDefinition = {
  name: 'shell_history',
  description: 'A line-delimited (command) table of per-user .*_history data.',
  attributes: { userData: true },
  columns: [
    { name: 'uid', type: 'BIGINT', additional: true, optimized: true, description: 'Shell history owner' },
    { name: 'time', type: 'INTEGER', description: 'Entry timestamp. It could be absent, default value is 0.' },
    { name: 'command', type: 'TEXT', description: 'Unparsed date/line/command history line' },
    { name: 'history_file', type: 'TEXT', description: 'Path to the .*_history for this user' },
  ],
  *generate(context) {
    for (const account of userDataAccounts(context)) {
      // Read as readUserFile does: Quarry runs as root and must not follow a user's symlink to files that user
      // cannot read (osquery drops privileges for the same reason), nor hang on a FIFO, nor read without limit.
      for (const path of historyPaths(account)) {
        const data = readUserFile(path, account);
        if (data !== undefined) yield* parseHistory(data.toString('utf8'), account.uid, path);
      }
    }
  },
};
