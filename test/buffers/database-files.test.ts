import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { open } from 'lmdb';
import { EventStore } from '@quarry/buffers';
import { tempDatabasePath } from './helpers.js';

const mode = (path: string) => statSync(path).mode & 0o777;

test('the database directory is created 0700 and its files, lock included, are 0600', async () => {
  const path = join(tempDatabasePath('perms'), 'nested', 'deeper');
  const store = EventStore.open(path, { role: 'publisher' });
  try {
    await store.ring('file_events').append([{ a: 1 }]);
    assert.equal(mode(path), 0o700);
    assert.equal(mode(dirname(path)), 0o700, 'created parents too');
    assert.deepEqual(readdirSync(path).sort(), ['data.mdb', 'lock.mdb']);
    assert.equal(mode(join(path, 'data.mdb')), 0o600);
    assert.equal(mode(join(path, 'lock.mdb')), 0o600);
  } finally {
    await store.close();
  }
  // an existing database directory with loose permissions is tightened at open
  execFileSync('chmod', ['0755', path]);
  execFileSync('chmod', ['0644', join(path, 'data.mdb'), join(path, 'lock.mdb')]);
  const again = EventStore.open(path, { role: 'consumer' });
  try {
    assert.equal(mode(path), 0o700);
    assert.equal(mode(join(path, 'data.mdb')), 0o600);
    assert.equal(mode(join(path, 'lock.mdb')), 0o600);
    assert.equal(again.ring('file_events').peek().length, 1);
  } finally {
    await again.close();
  }
});

test('a garbage data file is reported as corrupt and left untouched', () => {
  const path = tempDatabasePath('garbage');
  mkdirSync(path, { mode: 0o700 });
  const garbage = Buffer.from('this is not an LMDB file\n'.repeat(1000));
  writeFileSync(join(path, 'data.mdb'), garbage);
  assert.throws(() => EventStore.open(path, { role: 'publisher' }), (error: Error) => {
    assert.match(error.message, new RegExp(`Database ${path} is corrupt or not an LMDB database`));
    assert.match(error.message, /move the directory aside/);
    return true;
  });
  assert.deepEqual(readFileSync(join(path, 'data.mdb')), garbage, 'never silently replaced');
  writeFileSync(join(path, 'data.mdb'), Buffer.alloc(16384)); // zeros: no LMDB header either
  assert.throws(() => EventStore.open(path, { role: 'consumer' }), /is corrupt or not an LMDB database/);
});

test('a file where the database directory should be is an error naming the path', () => {
  const path = tempDatabasePath('file');
  writeFileSync(path, 'garbage');
  assert.throws(() => EventStore.open(path, { role: 'publisher' }), new RegExp(`Database path ${path} is not a directory \\(it is a file\\)`));
  assert.equal(readFileSync(path, 'utf8'), 'garbage');
});

test('a directory holding something else (e.g. osquery RocksDB) is refused', () => {
  const path = tempDatabasePath('rocks');
  mkdirSync(path);
  writeFileSync(join(path, 'CURRENT'), 'MANIFEST-000001\n');
  assert.throws(() => EventStore.open(path, { role: 'publisher' }), /is not a Quarry database: it holds CURRENT but no data.mdb/);
});

test('an LMDB database that is not Quarry\'s is refused', async () => {
  const path = tempDatabasePath('foreign-lmdb');
  const foreign = open({ path, noSubdir: false });
  const other = foreign.openDB('accounts', {});
  await other.put('alice', 1);
  await foreign.close();
  assert.throws(() => EventStore.open(path, { role: 'publisher' }), /holds an LMDB database that is not Quarry's \(accounts\)/);
});

test('an unwritable database directory is a clear error at open (chattr +i)', (t) => {
  const path = tempDatabasePath('immutable');
  mkdirSync(path, { mode: 0o700 });
  execFileSync('chattr', ['+i', path]);
  try {
    assert.throws(() => EventStore.open(path, { role: 'publisher' }), new RegExp(`Database ${path} cannot be opened: .*(not permitted|denied)`, 'i'));
  } finally {
    execFileSync('chattr', ['-i', path]);
  }
  assert.deepEqual(readdirSync(path), []);
  t.diagnostic('chattr +i directory refused as expected');
});
