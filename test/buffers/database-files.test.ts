import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EventStore } from '@quarry/buffers';
import { officialLmdb, tempDatabasePath } from './helpers.js';

const mode = (path: string) => statSync(path).mode & 0o777;

test('the database directory is created 0700 and its files, lock included, are 0600', async () => {
  const path = join(tempDatabasePath('perms'), 'nested', 'deeper');
  const store = EventStore.open(path, { role: 'publisher' });
  try {
    await store.ring('file_events').append([{ a: 1 }]);
    assert.equal(mode(path), 0o700);
    assert.equal(mode(dirname(path)), 0o700, 'created parents too');
    assert.deepEqual(readdirSync(path).sort(), ['data.mdb', 'lock.mdb', 'quarry-state.json']);
    assert.equal(mode(join(path, 'data.mdb')), 0o600);
    assert.equal(mode(join(path, 'quarry-state.json')), 0o600);
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
  mkdirSync(path, { mode: 0o700 });
  // written by another program through the official library (python3-lmdb)
  officialLmdb(`env = lmdb.open(${JSON.stringify(path)}, max_dbs=4)
db = env.open_db(b'accounts')
with env.begin(write=True) as txn:
    txn.put(b'alice', b'1', db=db)
env.close()`);
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

test('an existing database directory of another user, or writable by others, is refused and left alone', async () => {
  const path = tempDatabasePath('owner');
  const store = EventStore.open(path, { role: 'publisher' });
  await store.ring('file_events').append([{ a: 1 }]);
  await store.close();
  const uid = process.geteuid!();
  chownSync(path, 65534, 65534); // nobody
  assert.throws(
    () => EventStore.open(path, { role: 'consumer' }),
    (error: Error) => error.name === 'DatabaseOpenError' && error.message.includes(`belongs to uid 65534, not to the user Quarry runs as (uid ${uid})`),
  );
  chownSync(path, uid, -1);
  execFileSync('chmod', ['0770', path]);
  assert.throws(() => EventStore.open(path, { role: 'consumer' }), /is writable by group or others \(mode 770\); make it private first \(chmod 700/);
  assert.equal(mode(path), 0o770, 'never silently changed');
  execFileSync('chmod', ['0700', path]);
  const again = EventStore.open(path, { role: 'consumer' });
  assert.equal(again.ring('file_events').peek().length, 1);
  await again.close();
});

test('lock.mdb or data.mdb as a symbolic link is refused; the file it points at is not touched', async () => {
  const path = tempDatabasePath('symlink');
  const store = EventStore.open(path, { role: 'publisher' });
  await store.ring('file_events').append([{ a: 1 }]);
  await store.close();
  const victim = join(dirname(path), 'victim.txt');
  writeFileSync(victim, 'keep me\n', { mode: 0o644 });
  chmodSync(victim, 0o644);
  for (const name of ['lock.mdb', 'data.mdb']) {
    const file = join(path, name);
    const saved = `${file}.saved`;
    renameSync(file, saved);
    symlinkSync(victim, file);
    try {
      assert.throws(
        () => EventStore.open(path, { role: 'publisher' }),
        (error: Error) => error.name === 'DatabaseOpenError' && error.message.includes(`Database file ${file} is a symbolic link; Quarry refuses to open or change it`),
      );
      assert.equal(mode(victim), 0o644, `${name}: the link target's mode is unchanged`);
      assert.equal(readFileSync(victim, 'utf8'), 'keep me\n');
    } finally {
      unlinkSync(file);
      renameSync(saved, file);
    }
  }
  const again = EventStore.open(path, { role: 'consumer' });
  assert.equal(again.ring('file_events').peek().length, 1);
  await again.close();
});
