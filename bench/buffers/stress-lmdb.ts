/**
 * Dependency-level stress script: the workload that lost committed appends with the `lmdb` npm package (issue #10
 * item 1), run against the storage library alone. Per round, in a fresh environment with no-sync commits:
 *   - one appender process writes 7 rows per write transaction every ~3 ms (eids = last key + 1.., 8-byte keys),
 *     remembering each committed batch's eids;
 *   - four other processes do small lease/cursor write transactions and range reads of the rows, without pause;
 * then every committed batch must be there, once, under its own eids (lost 0, duplicated 0).
 * Child processes are kept across rounds (each round opens and closes a new environment in each of them).
 *
 * Usage: node --import tsx bench/buffers/stress-lmdb.ts [--rounds=N] [--ms=ROUND_MS] [--backend=liblmdb|lmdb-js] [--busy=K]
 *   --backend=lmdb-js runs the same workload on the old `lmdb` package when it is still in node_modules (the figure
 *   before the port); --busy=K starts K busy loops (`node -e 'for(;;){}'`) beside it for the whole run.
 * Prints rounds, processes, rows, lost, duplicated and the commit rate; exits 1 on any loss, duplicate or error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BATCH = 7;
const WRITERS = 4;
const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

interface Storage {
  /** Appends BATCH rows valued `batch` after the last key, in one write transaction; returns the first eid. */
  appendBatch(batch: number): number;
  /** A small write transaction: a lease or cursor record. */
  smallWrite(key: string, value: number): void;
  /** Rows in a range read from `from` (at most `limit`), on a fresh snapshot. */
  rangeCount(from: number, limit: number): number;
  /** Every row: eid → batch. */
  readAll(): Map<number, number>;
  close(): void;
}

const eidKey = (eid: number) => {
  const key = Buffer.alloc(8);
  key.writeBigUInt64BE(BigInt(eid));
  return key;
};
const u32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
};

/** The part of the old `lmdb` package's API this script uses. */
interface LmdbJsDb {
  putSync(key: Buffer | string, value: Buffer): void;
  getKeys(options: object): Iterable<unknown>;
  getRange(options: object): Iterable<{ key: unknown; value: unknown }>;
  resetReadTxn(): void;
}
interface LmdbJsEnv {
  openDB(name: string, options: object): LmdbJsDb;
  transactionSync<T>(action: () => T): T;
  close(): Promise<void>;
}

async function openStorage(backend: string, dir: string): Promise<Storage> {
  if (backend === 'liblmdb') {
    const { Environment } = await import('node-liblmdb');
    const env = Environment.open(dir, { maxDbs: 8, mapSize: 256 * 1024 * 1024 });
    const rows = env.dbi('rows') as number;
    const leases = env.dbi('leases') as number;
    return {
      appendBatch(batch) {
        return env.write((txn) => {
          const cursor = txn.cursor(rows);
          const last = cursor.last() ? Number(cursor.key.readBigUInt64BE(0)) : 0;
          cursor.close();
          for (let i = 1; i <= BATCH; i++) txn.put(rows, eidKey(last + i), u32(batch));
          return last + 1;
        });
      },
      smallWrite(key, value) {
        env.write((txn) => txn.put(leases, Buffer.from(key), u32(value)));
      },
      rangeCount(from, limit) {
        return env.read((txn) => {
          const cursor = txn.cursor(rows);
          let count = 0;
          for (let ok = cursor.setRange(eidKey(from)); ok && count < limit; ok = cursor.next()) count++;
          return count;
        });
      },
      readAll() {
        return env.read((txn) => {
          const all = new Map<number, number>();
          const cursor = txn.cursor(rows);
          for (let ok = cursor.first(); ok; ok = cursor.next()) all.set(Number(cursor.key.readBigUInt64BE(0)), cursor.value.readUInt32LE(0));
          return all;
        });
      },
      close: () => env.close(),
    };
  }
  if (backend === 'lmdb-js') {
    // the old package may be gone (the port removed it): typed here by what this script uses, not imported for types
    const { open } = (await import('lmdb' as string)) as { open(options: object): LmdbJsEnv };
    const env = open({ path: dir, maxDbs: 8, noSync: true, mapSize: 256 * 1024 * 1024 });
    const rows = env.openDB('rows', { keyEncoding: 'binary', encoding: 'binary' });
    const leases = env.openDB('leases', { encoding: 'binary' });
    return {
      appendBatch(batch) {
        return env.transactionSync(() => {
          let last = 0;
          for (const key of rows.getKeys({ reverse: true, limit: 1 })) last = Number((key as Buffer).readBigUInt64BE(0));
          for (let i = 1; i <= BATCH; i++) rows.putSync(eidKey(last + i), u32(batch));
          return last + 1;
        });
      },
      smallWrite(key, value) {
        env.transactionSync(() => leases.putSync(key, u32(value)));
      },
      rangeCount(from, limit) {
        rows.resetReadTxn();
        let count = 0;
        for (const _entry of rows.getRange({ start: eidKey(from), limit })) count++;
        return count;
      },
      readAll() {
        rows.resetReadTxn();
        const all = new Map<number, number>();
        for (const { key, value } of rows.getRange({})) all.set(Number((key as Buffer).readBigUInt64BE(0)), (value as Buffer).readUInt32LE(0));
        return all;
      },
      close: () => void env.close(),
    };
  }
  throw new Error(`unknown backend ${backend} (liblmdb or lmdb-js)`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A child: waits for "round <dir> <ms>" lines, runs its role for that long, answers one JSON line. */
async function child(role: string, backend: string): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [command, dir, msText] = line.split(' ');
    if (command !== 'round' || !dir) break;
    const storage = await openStorage(backend, dir);
    const until = Date.now() + Number(msText);
    const committed: Array<[number, number]> = [];
    let commits = 0;
    let error = '';
    try {
      if (role === 'appender') {
        for (let batch = 1; Date.now() < until; batch++) {
          committed.push([batch, storage.appendBatch(batch)]);
          commits++;
          await sleep(3);
        }
      } else {
        for (let i = 0; Date.now() < until; i++) {
          storage.smallWrite(`lease:${role}`, i);
          storage.smallWrite(`cursor:${role}`, i);
          commits += 2;
          storage.rangeCount(1 + Math.floor(Math.random() * 200), 50);
          if (i % 8 === 0) await sleep(0);
        }
      }
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    storage.close();
    process.stdout.write(`${JSON.stringify({ role, committed, commits, error })}\n`);
  }
}

interface Worker {
  process: ChildProcess;
  next(): Promise<string>;
}

function startChild(role: string, backend: string): Worker {
  const proc = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, 'child', role, backend], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const reader = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  return {
    process: proc,
    async next() {
      const item = await reader.next();
      if (item.done) throw new Error(`${role} child exited (${proc.exitCode ?? proc.signalCode})`);
      return item.value as string;
    },
  };
}

async function main(): Promise<void> {
  const rounds = Number(arg('rounds', '50'));
  const roundMs = Number(arg('ms', '300'));
  const backend = arg('backend', 'liblmdb');
  const busy = Number(arg('busy', '0'));
  if (backend === 'lmdb-js') {
    try {
      await import('lmdb' as string);
    } catch {
      console.log('backend lmdb-js: the `lmdb` package is no longer installed (removed by the port); no before figure');
      return;
    }
  }
  const loops = Array.from({ length: busy }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  const startAll = () => [startChild('appender', backend), ...Array.from({ length: WRITERS }, (_, i) => startChild(`writer${i}`, backend))];
  let workers = startAll();
  let crashes = 0;
  const root = mkdtempSync(join(tmpdir(), 'quarry-stress-lmdb-'));
  let rows = 0;
  let lost = 0;
  let duplicated = 0;
  let commits = 0;
  let failedRounds = 0;
  const errors: string[] = [];
  const started = performance.now();
  let done = 0;
  try {
    for (let round = 1; round <= rounds; round++) {
      const dir = mkdtempSync(join(root, 'round-'));
      for (const w of workers) w.process.stdin!.write(`round ${dir} ${roundMs}\n`);
      let lines: string[];
      try {
        lines = await Promise.all(workers.map((w) => w.next()));
      } catch (error) {
        // a process died in the round (a crash in the storage library): the round failed; start them all again
        crashes++;
        failedRounds++;
        errors.push(`round ${round}: ${(error as Error).message}`);
        for (const w of workers) w.process.kill('SIGKILL');
        workers = startAll();
        rmSync(dir, { recursive: true, force: true });
        done = round;
        continue;
      }
      const reports = lines.map((line) => JSON.parse(line) as { role: string; committed: Array<[number, number]>; commits: number; error: string });
      const storage = await openStorage(backend, dir);
      const stored = storage.readAll();
      storage.close();
      let roundLost = 0;
      let roundDuplicated = 0;
      const owners = new Map<number, number>();
      for (const report of reports) {
        commits += report.commits;
        if (report.error) errors.push(`round ${round} ${report.role}: ${report.error}`);
        for (const [batch, first] of report.committed) {
          for (let eid = first; eid < first + BATCH; eid++) {
            if (owners.has(eid)) roundDuplicated++; // an eid issued to two committed batches
            owners.set(eid, batch);
            if (stored.get(eid) !== batch) roundLost++;
          }
        }
      }
      rows += owners.size;
      lost += roundLost;
      duplicated += roundDuplicated;
      if (roundLost + roundDuplicated > 0 || reports.some((r) => r.error)) failedRounds++;
      rmSync(dir, { recursive: true, force: true });
      done = round;
      if (round % 50 === 0 || round === rounds) {
        const seconds = (performance.now() - started) / 1000;
        console.log(`  ${round}/${rounds} rounds, ${rows} rows, lost ${lost}, duplicated ${duplicated}, failed rounds ${failedRounds}, ${(commits / seconds).toFixed(0)} commits/s`);
      }
    }
  } finally {
    for (const w of workers) w.process.stdin!.end();
    for (const loop of loops) loop.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`stress-lmdb backend=${backend} busy-loops=${busy}`);
  console.log(`  rounds: ${done} (${roundMs} ms each), processes: ${1 + WRITERS} (1 appender, ${WRITERS} lease/cursor writers with range reads)`);
  console.log(`  rows: ${rows} committed in batches of ${BATCH}; lost ${lost}; duplicated ${duplicated}; failed rounds ${failedRounds} (${crashes} with a crashed process)`);
  console.log(`  commit rate: ${(commits / seconds).toFixed(0)} write transactions/s (${commits} in ${seconds.toFixed(1)} s)`);
  for (const error of errors.slice(0, 5)) console.log(`  error: ${error}`);
  if (errors.length > 5) console.log(`  ... ${errors.length - 5} more errors`);
  if (lost > 0 || duplicated > 0 || errors.length > 0) process.exitCode = 1;
}

if (process.argv[2] === 'child') await child(process.argv[3] as string, process.argv[4] as string);
else await main();
