import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { namespaceRoots, PID_WITH_NAMESPACE } from './namespace-roots.js';
import { describePrivateKey } from './ssh-private-keys.js';
import { listUserDirectory, readUserFile, userDataAccounts } from '../users/user-data.js';

/** Private keys are small; larger files in ~/.ssh are not keys and are skipped. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

function* generate(context: QueryContext): Iterable<Row> {
  for (const root of namespaceRoots(context)) {
    for (const user of userDataAccounts(context)) {
      const directory = `${user.directory}/.ssh`;
      for (const name of listUserDirectory(directory, user, root)) {
        const path = `${directory}/${name}`;
        const data = readUserFile(path, user, MAX_KEY_FILE_BYTES, root);
        const info = data === undefined ? null : describePrivateKey(data.toString('latin1'));
        if (!info) continue;
        yield {
          uid: user.uid,
          path,
          encrypted: info.encrypted,
          key_type: info.keyType,
          key_group_name: info.groupName,
          key_length: info.length ?? -1,
          key_security_bits: info.securityBits ?? -1,
          pid_with_namespace: root.pid,
        };
      }
    }
  }
}

export const user_ssh_keys: TableDefinition = {
  name: 'user_ssh_keys',
  description: 'Returns the private keys in the users ~/.ssh directory and whether or not they are encrypted.',
  attributes: { userData: true },
  columns: [
    { name: 'uid', type: 'BIGINT', additional: true, optimized: true, description: 'The local user that owns the key file' },
    { name: 'path', type: 'TEXT', index: true, description: 'Path to key file' },
    { name: 'encrypted', type: 'INTEGER', description: '1 if key is encrypted, 0 otherwise' },
    { name: 'key_type', type: 'TEXT', description: 'The type of the private key. One of [rsa, dsa, dh, ec, hmac, cmac], or the empty string.' },
    { name: 'key_group_name', type: 'TEXT', description: 'The group of the private key. Supported for a subset of key_types implemented by OpenSSL' },
    { name: 'key_length', type: 'INTEGER', description: 'The cryptographic length of the cryptosystem to which the private key belongs, in bits. Definition of cryptographic length is specific to cryptosystem. -1 if unavailable' },
    { name: 'key_security_bits', type: 'INTEGER', description: 'The number of security bits of the private key, bits of security as defined in NIST SP800-57. -1 if unavailable' },
    { ...PID_WITH_NAMESPACE, description: 'Pids that contain a namespace' },
  ],
  generate,
};
