// Storage faults are loud: an old-format, truncated, emptied, missing or rolled-back data.mdb is refused with a
// clear message (by the library, quarryi and quarryd alike — never SIGBUS, never a silent fresh start), and a full
// disk drops rows counted by reason, reported once per outage, with every committed row delivered once afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BufferStorageError, EventStore, type StorageFaultReport } from '@quarry/buffers';
import { tempDatabasePath } from './helpers.js';

const root = new URL('../../', import.meta.url).pathname;
const oldFormat = new URL('./fixtures/lmdb-js-format1.data.mdb', import.meta.url).pathname;

async function filledDatabase(label: string, batches = 40): Promise<string> {
  const path = tempDatabasePath(label);
  const store = EventStore.open(path, { role: 'publisher', eventsExpiry: 0, eventsMax: 0 });
  const ring = store.ring('file_events');
  for (let i = 0; i < batches; i++) ring.appendSync(Array.from({ length: 200 }, (_, n) => ({ path: `/srv/data/${i}/${n}`, action: 'CREATED' })));
  await store.close();
  return path;
}

/**
 * quarryi and quarryd on `path` (SIGBUS was the old end of both): quarryd exits with `message`; quarryi, whose event
 * tables are optional, says `message` once and answers without them (its warning for a database it cannot use).
 */
function binariesRefuse(path: string, message: RegExp): void {
  const quarryi = spawnSync(process.execPath, [join(root, 'bin/quarryi.js'), '--disable_events=false', `--database_path=${path}`, 'select count(*) as n from file_events'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(quarryi.signal, null, `quarryi was killed by ${quarryi.signal}: ${quarryi.stderr}`);
  assert.match(quarryi.stderr, new RegExp(`Event tables cannot read ${path}: .*${message.source}`));
  const dir = join(path, '..', 'quarryd');
  mkdirSync(dir, { recursive: true });
  const quarryd = spawnSync(
    process.execPath,
    [join(root, 'bin/quarryd.js'), `--database_path=${path}`, `--config_path=${join(dir, 'none.conf')}`, `--logger_path=${join(dir, 'log')}`,
      `--pidfile=${join(dir, 'quarryd.pid')}`, `--http_token_file=${join(dir, 'token')}`, '--http_port=0', '--disable_audit=true',
      `--extensions_socket=${join(dir, 'osquery.em')}`],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(quarryd.signal, null, `quarryd was killed by ${quarryd.signal}: ${quarryd.stderr}`);
  assert.notEqual(quarryd.status, 0, 'quarryd exits with an error');
  assert.match(quarryd.stderr, message);
}

test('a database written by the old lmdb-js storage (quarry-events/1) is refused with what to do, and left as it is', () => {
  const path = tempDatabasePath('old-format');
  mkdirSync(path, { mode: 0o700 });
  copyFileSync(oldFormat, join(path, 'data.mdb'));
  const before = readFileSync(join(path, 'data.mdb'));
  assert.throws(() => EventStore.open(path, { role: 'publisher' }), (error: Error) => {
    assert.equal(error.name, 'DatabaseOpenError');
    assert.match(error.message, /was written by an older Quarry \(format quarry-events\/1/);
    assert.match(error.message, new RegExp(`Move it aside \\(mv ${path} ${path}\\.old\\)`));
    return true;
  });
  assert.deepEqual(readFileSync(join(path, 'data.mdb')), before, 'never changed or dropped');
  binariesRefuse(path, /was written by an older Quarry/);
});

test('a truncated data.mdb is refused as corrupt by the library, quarryi and quarryd (no SIGBUS); a whole one opens', async () => {
  const path = await filledDatabase('truncated');
  const size = statSync(join(path, 'data.mdb')).size;
  truncateSync(join(path, 'data.mdb'), Math.floor(size / 2 / 4096) * 4096);
  const corrupt = new RegExp(`Database ${path} is corrupt or not an LMDB database \\(data.mdb is \\d+ bytes but its meta page says it holds ${size}.*truncated`);
  assert.throws(() => EventStore.open(path, { role: 'consumer' }), corrupt);
  binariesRefuse(path, /is corrupt or not an LMDB database/);
  // the same message as a garbage header
  writeFileSync(join(path, 'data.mdb'), Buffer.alloc(16384, 0x41));
  assert.throws(() => EventStore.open(path, { role: 'consumer' }), /is corrupt or not an LMDB database \(data.mdb has no LMDB header\)/);
  const whole = await filledDatabase('whole', 5);
  const store = EventStore.open(whole, { role: 'consumer' });
  assert.equal(store.ring('file_events').peek().length, 1000);
  await store.close();
});

test('an emptied (0-byte) or deleted data.mdb in a used directory is refused, not taken as a fresh database', async () => {
  const path = await filledDatabase('emptied', 2);
  const marker = JSON.parse(readFileSync(join(path, 'quarry-state.json'), 'utf8')) as { format: string; rings: Record<string, number> };
  assert.equal(marker.format, 'quarry-events/2');
  assert.equal(marker.rings.file_events, 400, 'the marker keeps the last eid');
  assert.equal(statSync(join(path, 'quarry-state.json')).mode & 0o777, 0o600);
  truncateSync(join(path, 'data.mdb'), 0);
  const emptied = /is corrupt or emptied: data.mdb is empty \(0 bytes\), but quarry-state.json says it was in use \(last eids: file_events 400\).*start fresh deliberately: move the directory aside/;
  assert.throws(() => EventStore.open(path, { role: 'publisher' }), emptied);
  binariesRefuse(path, /is corrupt or emptied/);
  assert.equal(statSync(join(path, 'data.mdb')).size, 0, 'left as found');
  unlinkSync(join(path, 'data.mdb'));
  assert.throws(() => EventStore.open(path, { role: 'consumer' }), /is corrupt or emptied: data.mdb is missing/);
  // starting fresh deliberately: the directory moved aside
  rmSync(path, { recursive: true });
  const fresh = EventStore.open(path, { role: 'publisher' });
  assert.deepEqual(await fresh.ring('file_events').append([{ a: 1 }]), [1]);
  await fresh.close();
});

test('a data.mdb older than the state marker (a restored copy) is refused: its eids would be reused', async () => {
  const path = await filledDatabase('rolled-back', 1);
  const older = join(path, '..', 'older.mdb');
  copyFileSync(join(path, 'data.mdb'), older);
  const store = EventStore.open(path, { role: 'publisher' });
  await store.ring('file_events').append([{ a: 1 }]);
  await store.close();
  copyFileSync(older, join(path, 'data.mdb'));
  assert.throws(() => EventStore.open(path, { role: 'publisher' }), /is corrupt or was rolled back: ring file_events ends before eid 201, which quarry-state.json recorded/);
});

test('a full disk (a small tmpfs): drops counted by reason, one warning per outage, then every committed row exactly once', async (t) => {
  const mountPoint = join(tempDatabasePath('tmpfs'), '..', 'mnt');
  mkdirSync(mountPoint);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', mountPoint]);
  try {
    const filler = join(mountPoint, 'filler');
    writeFileSync(filler, Buffer.alloc(256 * 1024));
    const reports: StorageFaultReport[] = [];
    const path = join(mountPoint, 'db');
    const store = EventStore.open(path, { role: 'publisher', eventsExpiry: 0, eventsMax: 0, onStorageFault: (report) => reports.push(report) });
    try {
      const ring = store.ring('file_events');
      const stored: number[] = [];
      let failures = 0;
      let droppedRows = 0;
      for (let batch = 0; failures < 5 && batch < 10_000; batch++) {
        try {
          stored.push(...ring.appendSync(Array.from({ length: 20 }, (_, n) => ({ path: `/var/www/${batch}/${n}`.padEnd(200, 'x') }))));
        } catch (error) {
          assert.ok(error instanceof BufferStorageError, `a BufferStorageError, got ${String(error)}`);
          assert.equal(error.reason, 'disk_full');
          assert.match(error.message, /20 rows of file_events were not stored: the disk \(or the database map\) is full \((ENOSPC|MDB_MAP_FULL)\)/);
          failures++;
          droppedRows += 20;
        }
      }
      assert.equal(failures, 5, 'the disk filled');
      assert.equal(reports.length, 1, 'one warning for the outage, not one per failed append');
      assert.equal(reports[0]!.state, 'failing');
      assert.match(reports[0]!.message, /cannot store rows: the disk \(or the database map\) is full .*quarry_buffer_dropped_total\{reason="disk_full"\}/);
      assert.doesNotMatch(reports[0]!.message, /Write error/);
      assert.equal(ring.stats().droppedBy?.disk_full, droppedRows);
      unlinkSync(filler); // the fault is removed
      stored.push(...ring.appendSync([{ path: '/after' }]));
      assert.equal(reports.length, 2);
      assert.deepEqual({ state: reports[1]!.state, dropped: reports[1]!.dropped }, { state: 'recovered', dropped: droppedRows });
      assert.match(reports[1]!.message, new RegExp(`stores rows again; ${droppedRows} rows were dropped`));
      // every committed row, once, in eid order, for a consumer in another store of this process
      const rows = ring.read('after-outage');
      assert.deepEqual(rows.map((row) => row.eid), stored);
      assert.deepEqual(stored, Array.from({ length: stored.length }, (_, i) => i + 1), 'eids contiguous: failed appends issued none');
      t.diagnostic(`${stored.length} rows stored, ${droppedRows} dropped and counted while the 1 MB tmpfs was full`);
    } finally {
      await store.close();
    }
  } finally {
    execFileSync('umount', [mountPoint]);
  }
});

test('a database on a read-only mount is refused at open with a clear error', async () => {
  const mountPoint = join(tempDatabasePath('readonly'), '..', 'mnt');
  mkdirSync(mountPoint);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', mountPoint]);
  try {
    const path = join(mountPoint, 'db');
    const store = EventStore.open(path, { role: 'publisher' });
    await store.ring('file_events').append([{ a: 1 }]);
    await store.close();
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    assert.throws(() => EventStore.open(path, { role: 'publisher' }), new RegExp(`Database ${path} cannot be opened: (EROFS|EACCES)`));
  } finally {
    execFileSync('umount', [mountPoint]);
  }
});
