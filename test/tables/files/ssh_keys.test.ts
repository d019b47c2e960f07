import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { authorized_keys, known_hosts, user_ssh_keys } from '@quarry/tables/files/index';
import { engineWith, mustRun, rows, tool } from '../host-context.js';

const USER = `qtest${process.pid % 100000}`;
const HOME = `/tmp/quarry-home-${process.pid}`;
let uid = -1;

before(() => {
  tool('userdel', ['-r', USER]);
  mustRun('useradd', ['-M', '-d', HOME, '-s', '/bin/false', USER]);
  uid = Number(mustRun('id', ['-u', USER]).trim());
  mkdirSync(`${HOME}/.ssh`, { recursive: true });
  const keygen = (name: string, ...args: string[]) => mustRun('ssh-keygen', ['-q', '-f', `${HOME}/.ssh/${name}`, '-C', `${name}@quarry`, ...args]);
  keygen('id_rsa', '-t', 'rsa', '-b', '3072', '-N', '');
  keygen('id_ed25519', '-t', 'ed25519', '-N', '');
  keygen('id_ecdsa_pem', '-t', 'ecdsa', '-b', '384', '-m', 'PEM', '-N', '');
  keygen('id_rsa_pem', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '');
  keygen('id_locked', '-t', 'ed25519', '-N', 'secret passphrase');
  keygen('id_locked_pem', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', 'secret passphrase');
  const pub = (name: string) => readFileSync(`${HOME}/.ssh/${name}.pub`, 'utf8').trim();
  writeFileSync(`${HOME}/.ssh/authorized_keys`, `# comment\n${pub('id_rsa')}\ncommand="echo hi there",no-pty ${pub('id_ed25519')}\n\n`);
  writeFileSync(`${HOME}/.ssh/authorized_keys2`, `${pub('id_ecdsa_pem')}\n`);
  writeFileSync(`${HOME}/.ssh/known_hosts`, `example.org ${pub('id_rsa')}\n# skipped\n|1|abc=|def= ${pub('id_ed25519')}\n`);
  writeFileSync(`${HOME}/.ssh/config`, 'Host *\n');
  chownSync(HOME, uid, uid);
});

after(() => {
  tool('userdel', [USER]);
  rmSync(HOME, { recursive: true, force: true });
});

test('user_ssh_keys describes each private key as ssh-keygen does, and flags encrypted ones', async () => {
  const engine = await engineWith(user_ssh_keys);
  const got = rows(engine, `SELECT * FROM user_ssh_keys WHERE uid = ${uid}`);
  const byName = new Map(got.map((r) => [String(r.path).split('/').pop(), r]));
  assert.deepEqual([...byName.keys()].sort(), ['id_ecdsa_pem', 'id_ed25519', 'id_locked', 'id_locked_pem', 'id_rsa', 'id_rsa_pem']);
  for (const name of ['id_rsa', 'id_rsa_pem', 'id_ecdsa_pem']) {
    const [bits, , , type] = mustRun('ssh-keygen', ['-l', '-f', `${HOME}/.ssh/${name}.pub`]).trim().split(/\s+/);
    const row = byName.get(name)!;
    assert.equal(row.key_length, Number(bits), `${name} length`);
    assert.equal(row.key_type, type === '(RSA)' ? 'rsa' : 'ec', `${name} type`);
    assert.equal(row.encrypted, 0);
    assert.equal(row.uid, uid);
  }
  assert.equal(byName.get('id_ecdsa_pem')!.key_group_name, 'secp384r1');
  assert.equal(byName.get('id_ecdsa_pem')!.key_security_bits, 192);
  assert.equal(byName.get('id_rsa')!.key_security_bits, 128);
  assert.equal(byName.get('id_rsa_pem')!.key_security_bits, 112);
  assert.equal(byName.get('id_ed25519')!.key_type, '');
  assert.equal(byName.get('id_locked')!.encrypted, 1);
  assert.equal(byName.get('id_locked_pem')!.encrypted, 1);
});

test('authorized_keys parses options, algorithm, key and comment from both files', async () => {
  const engine = await engineWith(authorized_keys);
  const got = rows(engine, `SELECT algorithm, key, options, comment, key_file FROM authorized_keys WHERE uid = ${uid}`);
  assert.equal(got.length, 3);
  for (const row of got) {
    const expected = readFileSync(`${HOME}/.ssh/${String(row.comment).split('@')[0]}.pub`, 'utf8').trim().split(' ');
    assert.equal(row.algorithm, expected[0]);
    assert.equal(row.key, expected[1]);
  }
  const ed = got.find((r) => r.algorithm === 'ssh-ed25519')!;
  assert.equal(ed.options, 'command="echo hi there",no-pty');
  assert.equal(got.find((r) => r.algorithm === 'ecdsa-sha2-nistp384')!.key_file, `${HOME}/.ssh/authorized_keys2`);
});

test('known_hosts returns raw lines; user_data tables cover only the current uid unless constrained', async () => {
  const engine = await engineWith(known_hosts, authorized_keys);
  const got = rows(engine, `SELECT key, key_file FROM known_hosts WHERE uid = ${uid}`);
  const lines = readFileSync(`${HOME}/.ssh/known_hosts`, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(got.map((r) => r.key), lines);
  const current = process.getuid!();
  for (const row of rows(engine, 'SELECT uid FROM known_hosts')) assert.equal(row.uid, current);
  for (const row of rows(engine, 'SELECT uid FROM authorized_keys')) assert.equal(row.uid, current);
});
