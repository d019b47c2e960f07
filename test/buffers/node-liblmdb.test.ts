// node-liblmdb against the reference: Debian's mdb_stat / mdb_dump (lmdb-utils) and python3-lmdb read what the
// binding wrote, the binding reads what python3-lmdb wrote, and LMDB's errors arrive with their code names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { Environment, LmdbError, LmdbSecondOpenError, environmentReferences, lmdbVersion } from 'node-liblmdb';
import { ensureLmdbTools, officialLmdb, tempDatabasePath } from './helpers.js';

const key = (n: number) => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(n));
  return bytes;
};

function freshDir(label: string): string {
  const path = tempDatabasePath(label);
  mkdirSync(path, { mode: 0o700 });
  return path;
}

test('the binding loads the official LMDB 0.9 and what it writes is what mdb_stat and mdb_dump report', () => {
  ensureLmdbTools();
  assert.match(lmdbVersion(), /^LMDB 0\.9\.\d+/);
  const path = freshDir('binding-stat');
  const env = Environment.open(path);
  try {
    const rows = env.dbi('rows') as number;
    env.write((txn) => {
      for (let i = 1; i <= 300; i++) txn.put(rows, key(i), Buffer.from(`value ${i}`));
      txn.put(rows, key(1000), Buffer.alloc(20000, 7)); // an overflow value
    });
    assert.equal(env.write((txn) => txn.del(rows, key(2))), true);
    assert.equal(env.write((txn) => txn.del(rows, key(2))), false, 'a second delete finds nothing');
    const stat = execFileSync('mdb_stat', ['-s', 'rows', path], { encoding: 'utf8' });
    assert.match(stat, /Entries: 300\n/, stat);
    const dump = execFileSync('mdb_dump', ['-s', 'rows', path], { encoding: 'utf8' });
    const hex = (text: string | Buffer) => Buffer.from(text).toString('hex');
    assert.ok(dump.includes(` ${hex(key(1))}\n ${hex('value 1')}\n`), 'mdb_dump shows key 1 and its value');
    assert.ok(!dump.includes(` ${hex(key(2))}\n`), 'the deleted key is gone');
    assert.ok(dump.includes(` ${hex(key(1000))}\n ${'07'.repeat(20000)}\n`), 'the overflow value whole');
    assert.equal(env.stat().entries, 1, 'the main database holds one named database');
    const info = env.info();
    assert.equal(info.mapSize, 1024 * 1024 * 1024);
    assert.ok(info.lastTxnId >= 3);
    // range reads with a cursor
    const seen = env.read((txn) => {
      const cursor = txn.cursor(rows);
      const keys: number[] = [];
      for (let ok = cursor.setRange(key(298)); ok; ok = cursor.next()) keys.push(Number(cursor.key.readBigUInt64BE(0)));
      assert.ok(cursor.last() && Number(cursor.key.readBigUInt64BE(0)) === 1000 && cursor.value.length === 20000);
      assert.ok(cursor.prev() && Number(cursor.key.readBigUInt64BE(0)) === 300);
      assert.ok(cursor.first() && Number(cursor.key.readBigUInt64BE(0)) === 1);
      return keys;
    });
    assert.deepEqual(seen, [298, 299, 300, 1000]);
  } finally {
    env.close();
  }
});

test('the binding reads what python3-lmdb wrote, and python3-lmdb reads what the binding wrote, across processes', () => {
  const path = freshDir('binding-python');
  officialLmdb(`env = lmdb.open(${JSON.stringify(path)}, max_dbs=4)
db = env.open_db(b'py')
with env.begin(write=True) as txn:
    for i in range(1, 101): txn.put(i.to_bytes(8, 'big'), b'py %d' % i, db=db)
env.close()`);
  const env = Environment.open(path);
  try {
    const py = env.dbi('py', false) as number;
    assert.equal(env.read((txn) => txn.get(py, key(42)))?.toString(), 'py 42');
    assert.equal(env.read((txn) => txn.stat(py).entries), 100);
    assert.equal(env.dbi('missing', false), undefined, 'a missing database is not created without create');
    env.write((txn) => txn.put(py, key(101), Buffer.from('node 101')));
    // python3-lmdb opens the same environment while this process holds it: another process, LMDB's own locks
    const read = officialLmdb(`env = lmdb.open(${JSON.stringify(path)}, max_dbs=4)
db = env.open_db(b'py')
with env.begin() as txn:
    sys.stdout.write(txn.get((101).to_bytes(8, 'big'), db=db).decode() + ' ' + str(txn.stat(db)['entries']))`);
    assert.equal(read, 'node 101 101');
  } finally {
    env.close();
  }
});

test('LMDB errors carry their code names; a full map is MDB_MAP_FULL and the environment keeps working', () => {
  const path = freshDir('binding-errors');
  const env = Environment.open(path, { mapSize: 256 * 1024 });
  try {
    const rows = env.dbi('rows') as number;
    assert.throws(
      () => env.write((txn) => { for (let i = 0; i < 1000; i++) txn.put(rows, key(i), Buffer.alloc(1000)); }),
      (error: unknown) => error instanceof LmdbError && error.codeName === 'MDB_MAP_FULL' && /mdb_put failed: MDB_MAP_FULL/.test(error.message),
    );
    env.write((txn) => txn.put(rows, key(1), Buffer.from('still works')));
    assert.equal(env.read((txn) => txn.get(rows, key(1)))?.toString(), 'still works');
    assert.throws(() => env.write((txn) => txn.put(rows, Buffer.alloc(600), Buffer.from('x'))), /LMDB keys are 1 to 511 bytes; this one is 600/);
    assert.throws(() => env.write(() => env.beginWrite()), /already open in this thread/);
  } finally {
    env.close();
  }
  assert.throws(() => env.read(() => 1), /is closed/);
});

test('one environment per process: a second open attaches, worker threads attach, a foreign holder is refused', async () => {
  const path = freshDir('binding-attach');
  const first = Environment.open(path);
  const second = Environment.open(path);
  try {
    assert.equal(second.address, first.address, 'the same MDB_env');
    assert.equal(environmentReferences(first.path), 2);
    const rows = first.dbi('rows') as number;
    first.write((txn) => txn.put(rows, key(1), Buffer.from('main')));
    const url = new URL('../../packages/node-liblmdb/dist/index.js', import.meta.url).href;
    const worker = new Worker(
      `import { parentPort, workerData } from 'node:worker_threads';
       const { Environment } = await import(workerData.url);
       const env = Environment.open(workerData.path);
       const rows = env.dbi('rows');
       const value = env.read((txn) => txn.get(rows, Buffer.from([0,0,0,0,0,0,0,1]))).toString();
       env.write((txn) => txn.put(rows, Buffer.from([0,0,0,0,0,0,0,2]), Buffer.from('worker')));
       const address = env.address;
       env.close();
       parentPort.postMessage({ address, value });`,
      { eval: true, workerData: { url, path } },
    );
    const reply = await new Promise<{ address: number; value: string }>((resolve, reject) => worker.once('message', resolve).once('error', reject));
    await worker.terminate();
    assert.deepEqual(reply, { address: first.address, value: 'main' });
    assert.equal(first.read((txn) => txn.get(rows, key(2)))?.toString(), 'worker');
  } finally {
    second.close();
    first.close();
  }
  assert.equal(environmentReferences(first.path), 0, 'the last close closed it');
  // a descriptor on lock.mdb this process holds outside the registry: opening would break LMDB's locks
  const fd = openSync(`${path}/lock.mdb`, 'r');
  try {
    assert.throws(() => Environment.open(path), (error: unknown) => error instanceof LmdbSecondOpenError && /already open in this process/.test((error as Error).message));
  } finally {
    closeSync(fd);
  }
});
