// Drain leases: one drain per (ring, consumer) at a time, across real processes sharing one LMDB database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { Engine, StatementError } from '@quarry/sql';
import { DrainBusyError, EventStore, drainOwner, isDrainBusy, quarryBuffersTable, type EventRing } from '@quarry/buffers';
import { tempDatabasePath } from './helpers.js';
import { leaseTestTable as eventsTable } from './fixtures/lease-table.js';

const fixture = new URL('./fixtures/drain-process.ts', import.meta.url).pathname;

interface DrainChild {
  lines: string[];
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  send(line: string): void;
  kill(): Promise<void>;
  exited: Promise<number | null>;
  pid: number;
}

function spawnDrain(args: string[]): DrainChild {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let errors = '';
  let done = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => ((done = true), resolve(code))));
  return {
    lines,
    pid: child.pid!,
    exited,
    send: (line) => child.stdin.write(`${line}\n`),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    async waitFor(pattern, timeoutMs = 30000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = lines.find((l) => pattern.test(l));
        if (line !== undefined) return line;
        if (done) throw new Error(`child exited before printing ${pattern}; stderr: ${errors}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; stderr: ${errors}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

async function setUp(label: string, drainLeaseMs?: number) {
  const path = tempDatabasePath(label);
  const store = EventStore.open(path, { role: 'publisher', eventsExpiry: 0, eventsMax: 0, ...(drainLeaseMs ? { drainLeaseMs } : {}) });
  const ring = store.ring('file_events');
  const engine = await Engine.create({ tables: [eventsTable(ring)] });
  return { path, store, ring, engine };
}

const eidsOf = (rows: readonly Record<string, unknown>[]) => rows.map((row) => Number(row.eid));
const rowsLine = (line: string) => JSON.parse(line.slice('rows '.length)) as number[];
const append = (ring: EventRing, count: number) => ring.append(Array.from({ length: count }, (_, n) => ({ n })));

test('a second drain of one consumer in another process is refused and reads nothing; after the first commits it gets only newer rows', async () => {
  const { path, store, ring, engine } = await setUp('lease-busy');
  const holder = spawnDrain(['hold', path, 'siem']);
  try {
    const first = await append(ring, 5);
    const held = rowsLine(await holder.waitFor(/^rows /));
    assert.deepEqual(held, first);
    const lease = ring.drainLease('siem');
    assert.equal(lease?.pid, holder.pid, 'the child holds the lease');

    const before = ring.stats().consumers.find((c) => c.consumer === 'siem');
    assert.throws(
      () => engine.query('select eid from file_events', { consumer: 'siem' }),
      (error: unknown) => {
        assert.ok(error instanceof StatementError);
        assert.equal(
          error.message,
          `file_events is being drained for consumer "siem" by another query (pid ${holder.pid}); nothing was read — try again when it has finished, or use another consumer name`,
        );
        assert.equal(error.code, 1, 'an error like any other table error (SQLITE_ERROR)');
        assert.ok(error.cause instanceof DrainBusyError && isDrainBusy(error), 'the DrainBusyError is its cause');
        return true;
      },
    );
    assert.deepEqual(ring.stats().consumers.find((c) => c.consumer === 'siem'), before, 'the refused drain moved nothing');
    // the ring-level call throws the error class itself
    assert.throws(() => ring.acquireDrain('siem', drainOwner()), DrainBusyError);

    // peeks, windows and other consumers are never blocked
    assert.deepEqual(eidsOf(engine.query('select eid from file_events', { consumer: 'siem', peek: true }).rows), first);
    assert.deepEqual(eidsOf(engine.query('select eid from file_events where eid >= 2', { consumer: 'siem' }).rows), first.slice(1));
    assert.deepEqual(eidsOf(engine.query(`select eid from file_events where time >= 0`, { consumer: 'siem' }).rows), first);
    const other = engine.query('select eid from file_events', { consumer: 'other' });
    assert.deepEqual(eidsOf(other.rows), first);
    other.commit();

    const newer = await append(ring, 3);
    holder.send('commit');
    await holder.waitFor(/^done$/);
    assert.equal(await holder.exited, 0);
    assert.equal(ring.drainLease('siem'), undefined, 'the commit gave the lease back');
    const second = engine.query('select eid from file_events', { consumer: 'siem' });
    assert.deepEqual(eidsOf(second.rows), newer, 'only the rows the holder did not deliver');
    second.commit();
    assert.deepEqual(engine.query('select eid from file_events', { consumer: 'siem' }).rows, []);
  } finally {
    if (!holder.lines.includes('done')) await holder.kill();
    engine.close();
    await store.close();
  }
});

test('quarry_buffers names the process draining a consumer, also during its first drain, and clears it after the commit', async () => {
  const { path, store, ring, engine } = await setUp('lease-visible');
  const buffers = await Engine.create({ tables: [quarryBuffersTable(store)] });
  const consumerRow = (consumer: string) => {
    const rows = buffers.query(`select consumer, cursor, lag, draining_pid, draining_since from quarry_buffers where subscriber = 'file_events'`).rows;
    return { row: rows.find((r) => r.consumer === consumer), rows };
  };
  const holder = spawnDrain(['hold', path, 'siem']);
  try {
    const first = await append(ring, 5);
    const takenAfter = Math.floor(Date.now() / 1000);
    assert.deepEqual(rowsLine(await holder.waitFor(/^rows /)), first);
    const during = consumerRow('siem');
    assert.ok(during.row, `a consumer whose first drain runs is listed: ${JSON.stringify(during.rows)}`);
    assert.equal(during.row.draining_pid, holder.pid);
    assert.equal(during.row.cursor, 0, 'no cursor yet: its drain reads from the start');
    assert.equal(during.row.lag, 5);
    const since = Number(during.row.draining_since);
    assert.ok(since >= takenAfter - 1 && since <= Math.floor(Date.now() / 1000), `draining_since ${since} is when the drain began`);

    holder.send('commit');
    await holder.waitFor(/^done$/);
    assert.equal(await holder.exited, 0);
    const after = consumerRow('siem');
    assert.deepEqual(after.row, { consumer: 'siem', cursor: first.at(-1), lag: 0, draining_pid: null, draining_since: null });

    // A holder killed mid-drain leaves a stale lease: it is not shown as draining.
    const killed = spawnDrain(['hold', path, 'siem']);
    await append(ring, 1);
    await killed.waitFor(/^rows /);
    assert.equal(consumerRow('siem').row?.draining_pid, killed.pid);
    await killed.kill();
    assert.equal(consumerRow('siem').row?.draining_pid, null, 'a dead holder drains nothing');
  } finally {
    if (!holder.lines.includes('done')) await holder.kill();
    buffers.close();
    engine.close();
    await store.close();
  }
});

test('many drains of one consumer racing in four processes deliver every row exactly once', async () => {
  const { path, store, ring, engine } = await setUp('lease-race');
  const racers = Array.from({ length: 4 }, () => spawnDrain(['race', path, 'siem', '60', '8']));
  const appended: number[] = [];
  try {
    let writing = true;
    const writer = (async () => {
      while (writing) {
        appended.push(...(await append(ring, 7)));
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    })();
    await Promise.all(racers.map((racer) => racer.waitFor(/^end$/, 60000)));
    writing = false;
    await writer;
    for (const racer of racers) assert.equal(await racer.exited, 0);
    const delivered = racers.flatMap((racer) => racer.lines.filter((l) => l.startsWith('rows ')).flatMap(rowsLine));
    const busy = racers.reduce((sum, racer) => sum + racer.lines.filter((l) => l === 'busy').length, 0);
    // what the racers left is drained here, once
    const rest = engine.query('select eid from file_events', { consumer: 'siem' });
    rest.commit();
    const all = [...delivered, ...eidsOf(rest.rows)];
    const counts = new Map<number, number>();
    for (const eid of all) counts.set(eid, (counts.get(eid) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([eid]) => eid);
    assert.deepEqual(twice, [], 'no row was delivered twice');
    assert.deepEqual([...counts.keys()].sort((a, b) => a - b), appended, 'no row was lost');
    assert.ok(busy > 0, `the drains did overlap (refused attempts: ${busy}, delivered rows: ${delivered.length})`);
  } finally {
    for (const racer of racers) if (!racer.lines.includes('end')) await racer.kill();
    engine.close();
    await store.close();
  }
});

test('a failing statement gives its lease back at once; an undelivered result released does too, and its rows come again', async () => {
  const { store, ring, engine } = await setUp('lease-fail');
  try {
    const eids = await append(ring, 4);
    // the event table was read (lease taken) before json_extract failed on a row
    assert.throws(() => engine.query("select eid, json_extract('not json', '$') from file_events", { consumer: 'c' }), /malformed JSON/);
    assert.equal(ring.drainLease('c'), undefined);
    // a second statement of the same text failing gives back the first one's lease too (query() returns nothing to commit)
    assert.throws(() => engine.query("select eid from file_events; select json_extract('x', '$')", { consumer: 'c' }), /malformed JSON/);
    assert.equal(ring.drainLease('c'), undefined);

    const undelivered = engine.query('select eid from file_events', { consumer: 'c' });
    assert.ok(ring.drainLease('c'));
    undelivered.release();
    assert.equal(ring.drainLease('c'), undefined);
    undelivered.commit(); // after release: does nothing
    const again = engine.query('select eid from file_events', { consumer: 'c' });
    assert.deepEqual(eidsOf(again.rows), eids, 'released rows are delivered next time');
    again.commit();
    assert.equal(ring.stats().consumers.find((c) => c.consumer === 'c')?.cursor, eids[eids.length - 1]);
    // a drain that finds nothing gives its lease back at once, committed or not
    assert.deepEqual(engine.query('select eid from file_events', { consumer: 'c' }).rows, []);
    assert.equal(ring.drainLease('c'), undefined);
  } finally {
    engine.close();
    await store.close();
  }
});

test('a statement reading the table twice (self-join, several statements of one text) shares its own lease', async () => {
  const { store, ring, engine } = await setUp('lease-self');
  try {
    const eids = await append(ring, 3);
    const joined = engine.query('select a.eid as a, b.eid as b from file_events a join file_events b on b.eid = a.eid', { consumer: 'c' });
    assert.deepEqual(joined.rows.map((row) => Number(row.a)), eids);
    assert.equal(ring.drainLease('c')?.pid, process.pid);
    joined.commit();
    assert.equal(ring.drainLease('c'), undefined, 'every hold given back');

    const more = await append(ring, 2);
    const results = engine.execute('select eid from file_events; select count(*) as n from file_events', { consumer: 'c' });
    assert.deepEqual(eidsOf(results[0]!.rows), more);
    assert.equal(Number(results[1]!.rows[0]!.n), 2);
    results[0]!.commit();
    assert.ok(ring.drainLease('c'), 'the second statement still holds it until it is committed');
    results[1]!.commit();
    assert.equal(ring.drainLease('c'), undefined);
    assert.deepEqual(engine.query('select eid from file_events', { consumer: 'c' }).rows, []);
  } finally {
    engine.close();
    await store.close();
  }
});

test('a holder killed with SIGKILL leaves a stale lease the next drain takes over, re-reading its undelivered rows', async () => {
  const { path, store, ring, engine } = await setUp('lease-kill');
  const holder = spawnDrain(['hold', path, 'siem']);
  try {
    const eids = await append(ring, 6);
    assert.deepEqual(rowsLine(await holder.waitFor(/^rows /)), eids);
    assert.equal(ring.drainLease('siem')?.pid, holder.pid);
    await holder.kill();
    const taken = engine.query('select eid from file_events', { consumer: 'siem' });
    assert.deepEqual(eidsOf(taken.rows), eids, 'nothing lost: the killed drain never committed');
    assert.equal(ring.drainLease('siem')?.pid, process.pid);
    taken.commit();
  } finally {
    engine.close();
    await store.close();
  }
});

async function leaseThread(path: string, drainLeaseMs: number): Promise<Worker> {
  const worker = new Worker(new URL('./fixtures/lease-thread.mjs', import.meta.url), {
    workerData: { path, consumer: 'siem', drainLeaseMs },
  });
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return worker;
}

test('a lease left by a terminated worker thread of a live process is taken over at once (its kernel thread is gone)', async () => {
  const { path, store, ring, engine } = await setUp('lease-thread-gone');
  const worker = await leaseThread(path, 10 * 60 * 1000);
  try {
    await append(ring, 2);
    const lease = ring.drainLease('siem');
    assert.equal(lease?.pid, process.pid);
    assert.notEqual(lease?.threadId, 0);
    assert.ok(typeof lease?.tid === 'number' && lease.tid !== process.pid, `the worker's own kernel tid: ${JSON.stringify(lease)}`);
    assert.throws(() => engine.query('select eid from file_events', { consumer: 'siem' }), /is being drained for consumer "siem"/);
    await worker.terminate();
    const taken = engine.query('select eid from file_events', { consumer: 'siem' });
    assert.equal(taken.rows.length, 2, 'no wait for the 10-minute expiry');
    taken.commit();
  } finally {
    await worker.terminate();
    engine.close();
    await store.close();
  }
});

test('a lease whose holder thread still runs but never gives it back holds until it expires', async () => {
  const { path, store, ring, engine } = await setUp('lease-expiry', 1500);
  const worker = await leaseThread(path, 1500);
  try {
    await append(ring, 2);
    const lease = ring.drainLease('siem');
    assert.throws(() => engine.query('select eid from file_events', { consumer: 'siem' }), /is being drained for consumer "siem"/);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lease!.expiresAt - Date.now()) + 50));
    const taken = engine.query('select eid from file_events', { consumer: 'siem' });
    assert.equal(taken.rows.length, 2);
    taken.commit();
  } finally {
    await worker.terminate();
    engine.close();
    await store.close();
  }
});
