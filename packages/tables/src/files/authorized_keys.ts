import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { namespaceRoots, PID_WITH_NAMESPACE } from './namespace-roots.js';
import { readUserFile, userDataAccounts } from '../users/user-data.js';
import { textLines } from '../system/host-files.js';

/** Public key algorithms recognised in authorized_keys lines. */
export const SSH_KEY_ALGORITHMS: ReadonlySet<string> = new Set([
  'ssh-rsa',
  'ssh-dss',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'sk-ssh-ed25519@openssh.com',
]);

/** Splits on unquoted whitespace, keeping quoted option values (command="a b") whole. */
function tokens(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index]!;
    if (char === '\\' && quoted && index + 1 < line.length) {
      current += char + line[index + 1];
      index += 1;
    } else if (char === '"') {
      quoted = !quoted;
      current += char;
    } else if (!quoted && (char === ' ' || char === '\t')) {
      if (current) out.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current) out.push(current);
  return out;
}

export interface AuthorizedKey {
  readonly options: string;
  readonly algorithm: string;
  readonly key: string;
  readonly comment: string;
}

/** One authorized_keys line: [options] algorithm key [comment]; null when no known algorithm is present. */
export function parseAuthorizedKey(line: string): AuthorizedKey | null {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  const parts = tokens(trimmed);
  const at = parts.findIndex((part) => SSH_KEY_ALGORITHMS.has(part));
  if (at < 0 || at + 1 >= parts.length) return null;
  return { options: parts.slice(0, at).join(' '), algorithm: parts[at]!, key: parts[at + 1]!, comment: parts.slice(at + 2).join(' ') };
}

function* generate(context: QueryContext): Iterable<Row> {
  for (const root of namespaceRoots(context)) {
    for (const user of userDataAccounts(context)) {
      for (const name of ['authorized_keys', 'authorized_keys2']) {
        const keyFile = `${user.directory}/.ssh/${name}`;
        for (const line of textLines(readUserFile(keyFile, user, undefined, root))) {
          const parsed = parseAuthorizedKey(line);
          if (parsed) yield { uid: user.uid, ...parsed, key_file: keyFile, pid_with_namespace: root.pid };
        }
      }
    }
  }
}

export const authorized_keys: TableDefinition = {
  name: 'authorized_keys',
  description: 'A line-delimited authorized_keys table.',
  attributes: { userData: true },
  columns: [
    { name: 'uid', type: 'BIGINT', additional: true, description: 'The local owner of authorized_keys file' },
    { name: 'algorithm', type: 'TEXT', description: 'Key type' },
    { name: 'key', type: 'TEXT', description: 'Key encoded as base64' },
    { name: 'options', type: 'TEXT', description: 'Optional list of login options' },
    { name: 'comment', type: 'TEXT', description: 'Optional comment' },
    { name: 'key_file', type: 'TEXT', description: 'Path to the authorized_keys file' },
    { ...PID_WITH_NAMESPACE, description: 'Pids that contain a namespace' },
  ],
  generate,
};
