/**
 * The CPU side of the watchdog: /proc thread accounting (on this test's own threads), osquery's sustained-latency
 * rule, the pool stopping a worker thread over its CPU limit, and a real quarryd stopping + denylisting a scheduled
 * query that burns CPU while a light one keeps running.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  clockTicksPerSecond,
  currentThreadId,
  parseAuxvClockTicks,
  parseThreadSelfLink,
  parseThreadStat,
  readThreadCpuMs,
  threadStatPath,
} from '@quarry/daemon/pool/thread-cpu';
import { cpuLimitsFromFlags, intervalBudgetMs, judgeCpu, type CpuLimits } from '@quarry/daemon/pool/cpu-watchdog';
import { QueryFailure, QueryPool, type CpuCheck, type PoolOptions } from '@quarry/daemon/pool/query-pool';
import { QuarrydProcess, waitFor } from './quarryd-process.js';

const daemons: QuarrydProcess[] = [];
after(() => daemons.forEach((d) => d.cleanup()));

/** Runs until stopped: counts far past anything that finishes in a test. */
const BURNER = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) AS n FROM c';

/** A thread of this process that reports its /proc/thread-self link and burns CPU for `ms` on request. */
function helperThread(): { worker: Worker; link: Promise<string>; burn(ms: number): Promise<void> } {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.postMessage(require('node:fs').readlinkSync('/proc/thread-self'));
     parentPort.on('message', (ms) => { const end = Date.now() + ms; let x = 0; while (Date.now() < end) x++; parentPort.postMessage(x); });`,
    { eval: true },
  );
  const link = new Promise<string>((resolve) => worker.once('message', resolve));
  const burn = async (ms: number) => {
    await link;
    worker.postMessage(ms);
    await new Promise((resolve) => worker.once('message', resolve));
  };
  return { worker, link, burn };
}

/** The scheduler's own account of a thread's time on CPU (ns → ms): a second kernel source for the same quantity. */
function schedstatRunMs(tid: number): number {
  return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

test('thread-cpu: /proc/thread-self, stat parsing and clock ticks on this process\'s real threads', async () => {
  // the main thread's tid is the pid
  const main = parseThreadSelfLink(readlinkSync('/proc/thread-self'));
  assert.deepEqual(main, { pid: process.pid, tid: process.pid });
  assert.equal(currentThreadId(), process.pid);
  assert.equal(parseThreadSelfLink('self'), undefined);

  // CLK_TCK from the auxiliary vector equals what getconf prints
  const getconf = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  assert.equal(clockTicksPerSecond(), getconf);
  assert.equal(parseAuxvClockTicks(readFileSync('/proc/self/auxv')), getconf);
  const auxv32 = new Uint8Array(new Uint32Array([6, 4096, 17, getconf, 0, 0]).buffer);
  assert.equal(parseAuxvClockTicks(auxv32, 4, true), getconf);
  assert.equal(parseAuxvClockTicks(new Uint8Array(16)), undefined, 'AT_NULL first: no clock ticks');

  const helper = helperThread();
  try {
    const link = parseThreadSelfLink(await helper.link);
    assert.ok(link, 'the worker thread reads PID/task/TID');
    assert.equal(link.pid, process.pid);
    assert.notEqual(link.tid, process.pid, 'a worker thread has its own kernel thread id');
    const tid = link.tid;

    // the stat line parses; its name is the thread's comm
    const line = readFileSync(threadStatPath(tid), 'utf8');
    const stat = parseThreadStat(line);
    assert.equal(stat.name, readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').replace(/\n$/, ''));
    // a comm holding ") (" and spaces does not shift the fields
    const tricky = line.replace(`(${stat.name})`, '(a) b (c d)');
    assert.deepEqual({ ...parseThreadStat(tricky), name: stat.name }, stat);
    assert.throws(() => parseThreadStat('garbage'), /not a \/proc stat line \(no "\(comm\)" field\)/);
    assert.throws(() => parseThreadStat('1 (x) S 1 2'), /utime\/stime fields 14-15 missing/);

    // an idle thread accumulates no CPU time
    const idleBefore = readThreadCpuMs(tid, getconf)!;
    await new Promise((r) => setTimeout(r, 300));
    const idleAfter = readThreadCpuMs(tid, getconf)!;
    assert.ok(idleAfter - idleBefore <= 1000 / getconf, `idle thread used ${idleAfter - idleBefore} ms`);

    // a burning thread: utime+stime moves as the scheduler's own runtime account of that thread does
    const cpuBefore = readThreadCpuMs(tid, getconf)!;
    const runBefore = schedstatRunMs(tid);
    const mainBefore = readThreadCpuMs(process.pid, getconf)!;
    await helper.burn(400);
    const used = readThreadCpuMs(tid, getconf)! - cpuBefore;
    const ran = schedstatRunMs(tid) - runBefore;
    const mainUsed = readThreadCpuMs(process.pid, getconf)! - mainBefore;
    assert.ok(ran > 50, `the helper thread ran ${ran} ms`);
    assert.ok(Math.abs(used - ran) <= 30 + ran * 0.15, `utime+stime ${used} ms vs schedstat ${ran} ms`);
    assert.ok(mainUsed < used, `the waiting main thread (${mainUsed} ms) is not charged the helper's time (${used} ms)`);
  } finally {
    await helper.worker.terminate();
  }
  assert.equal(readThreadCpuMs(2 ** 22 + 7, getconf), undefined, 'a thread that does not exist reads as undefined');
});

test('cpu-watchdog: osquery limits by --watchdog_level and overrides; the sustained rule', () => {
  const flags = { disabled: false, level: 0, utilizationLimit: 0, latencyLimit: 0, delaySeconds: 60 };
  assert.deepEqual(cpuLimitsFromFlags(flags), { utilizationPercent: 10, latencySeconds: 12, intervalMs: 3000, delayMs: 60_000 });
  assert.deepEqual(cpuLimitsFromFlags({ ...flags, level: 1 }), { utilizationPercent: 5, latencySeconds: 6, intervalMs: 3000, delayMs: 60_000 });
  assert.deepEqual(cpuLimitsFromFlags({ ...flags, level: -1 }), { utilizationPercent: 100, latencySeconds: 1000, intervalMs: 3000, delayMs: 60_000 });
  assert.deepEqual(cpuLimitsFromFlags({ ...flags, level: 1, utilizationLimit: 50, latencyLimit: 3, delaySeconds: 0 }), { utilizationPercent: 50, latencySeconds: 3, intervalMs: 3000, delayMs: 0 });
  assert.equal(cpuLimitsFromFlags({ ...flags, disabled: true }), undefined);

  const limits = cpuLimitsFromFlags(flags)!; // 10 % of 3 s = 300 ms per check, 12 s = 4 checks
  assert.equal(intervalBudgetMs(limits), 300);
  const at = (k: number, cpuMs: number, runningId: number) => ({ at: k * 3000, cpuMs, runningId });
  let sustained = 0;
  const verdicts = [];
  // one query (id 7) burning 1000 ms per check from check 0 on
  for (let k = 1; k <= 4; k++) {
    const v = judgeCpu(limits, at(k - 1, (k - 1) * 1000, 7), at(k, k * 1000, 7), sustained, true);
    sustained = v.sustained;
    verdicts.push(v);
  }
  assert.deepEqual(verdicts.map((v) => v.sustained), [1, 2, 3, 4]);
  assert.deepEqual(verdicts.map((v) => v.stop), [undefined, undefined, undefined, 'Maximum sustainable CPU utilization limit 300ms exceeded for 12 seconds']);
  // a check under budget resets
  assert.equal(judgeCpu(limits, at(0, 0, 7), at(1, 299, 7), 3, true).sustained, 0);
  // another query ran at the previous check: the interval is not one query's, nothing counts
  assert.equal(judgeCpu(limits, at(0, 0, 6), at(1, 3000, 7), 3, true).sustained, 0);
  assert.equal(judgeCpu(limits, at(0, 0, 0), at(1, 3000, 0), 3, true).sustained, 0);
  // within --watchdog_delay nothing counts
  assert.equal(judgeCpu(limits, at(0, 0, 7), at(1, 3000, 7), 3, false).sustained, 0);
  // the budget follows the measured interval: 400 ms in a late 6 s check is under 10 %
  assert.equal(judgeCpu(limits, { at: 0, cpuMs: 0, runningId: 7 }, { at: 6000, cpuMs: 400, runningId: 7 }, 0, true).counted, false);
});

function poolWith(size: number, cpuLimits: CpuLimits, extra: Partial<PoolOptions> = {}): QueryPool {
  return new QueryPool({
    size,
    init: { databasePath: join(tmpdir(), 'none'), openStore: false, readMax: 1 << 20, disableTables: '', enableTables: '', eventsEnabled: false, queryTimeoutMs: 3600_000, rowCap: 1000, regexMaxSize: 256 },
    queueLimit: 16,
    deadlineMs: 0,
    memoryLimitMb: 0,
    cpuLimits,
    ...extra,
  });
}

test('pool: a worker thread over its CPU limit is stopped and respawned; light and idle workers are left alone', async () => {
  const limits: CpuLimits = { utilizationPercent: 50, latencySeconds: 0.5, intervalMs: 250, delayMs: 0 };
  const stopped: string[] = [];
  const pool = poolWith(2, limits, { onWorkerStopped: (r) => stopped.push(r) });
  await pool.start();
  try {
    const tids = pool.workerThreadIds();
    assert.equal(tids.length, 2);
    const ticks = clockTicksPerSecond();
    // idle workers: several checks pass, their threads are never woken
    const before = tids.map((tid) => readThreadCpuMs(tid!, ticks)!);
    await new Promise((r) => setTimeout(r, 800));
    const idle = tids.map((tid, i) => readThreadCpuMs(tid!, ticks)! - before[i]!);
    assert.ok(idle.every((ms) => ms <= 1000 / ticks), `idle workers used ${idle.join(', ')} ms of CPU over 3 checks`);

    const burning = pool.run({ sql: BURNER }).then(
      () => assert.fail('the burning query must be stopped'),
      (error: unknown) => error,
    );
    // light queries keep being answered meanwhile (on the other worker)
    let light = 0;
    const failure = await Promise.race([
      burning,
      (async () => {
        for (;;) {
          const r = await pool.run({ sql: 'SELECT 41 + 1 AS v' });
          assert.equal(r.rows[0]?.v, 42);
          light++;
          await new Promise((res) => setTimeout(res, 20));
        }
      })(),
    ]);
    assert.ok(failure instanceof QueryFailure);
    assert.equal(failure.kind, 'memory', 'the memory limit\'s failure kind: HTTP 503 and scheduled-query denylisting');
    assert.equal(failure.message, `Maximum sustainable CPU utilization limit ${(250 * 50) / 100}ms exceeded for 0.5 seconds`);
    assert.deepEqual(stopped, [failure.message]);
    assert.ok(light > 0);
    const stats = pool.stats();
    assert.equal(stats.cpuStops, 1);
    assert.equal(stats.memoryStops, 0);
    assert.equal(stats.respawns, 1);
    assert.equal((await pool.run({ sql: 'SELECT 3 AS three' })).rows[0]?.three, 3);
    await waitFor('the respawned worker reports its thread id', () => pool.workerThreadIds().every((t) => t !== undefined));
    assert.equal(new Set([...tids, ...pool.workerThreadIds()]).size, 3, 'one worker thread was replaced');
  } finally {
    await pool.close();
  }
});

test('pool: within --watchdog_delay a burning worker is measured but not stopped', async () => {
  const checks: CpuCheck[] = [];
  const pool = poolWith(1, { utilizationPercent: 10, latencySeconds: 0.25, intervalMs: 250, delayMs: 3600_000 }, { onCpuCheck: (c) => checks.push(c) });
  await pool.start();
  const burning = pool.run({ sql: BURNER }).then(
    () => 'answered',
    (error: unknown) => (error instanceof QueryFailure ? error.kind : String(error)),
  );
  const overBudget = () => checks.filter((c) => c.runningId !== 0 && c.cpuMs > c.budgetMs);
  await waitFor('three over-budget checks', () => overBudget().length >= 3, 5000);
  assert.ok(overBudget().every((c) => !c.enforcing && !c.counted && c.sustained === 0 && c.stop === undefined));
  assert.equal(pool.stats().cpuStops, 0);
  await pool.close();
  assert.equal(await burning, 'closed');
});

test('quarryd: a scheduled query over the CPU limit is stopped, denylisted and logged; an HTTP one gets 503; a light query keeps running', async () => {
  // 25 %: the two burners (scheduled + HTTP) stay well over it even when other processes share this machine's
  // cores; the light query stays far under it.
  const pct = 25;
  const d = new QuarrydProcess({
    flags: ['--watchdog_delay=0', `--watchdog_utilization_limit=${pct}`, '--watchdog_latency_limit=3', '--query_timeout=120', '--verbose', '--enable_watchdog_debug'],
  });
  daemons.push(d);
  d.writeConfig({
    schedule: {
      burner: { query: BURNER, interval: 1 },
      light: { query: 'SELECT count(*) AS n FROM processes', interval: 1 },
    },
  });
  await d.start();
  // an HTTP query over the same limit, on the other worker: answered as the memory limit answers (503)
  const viaHttp = d.query(BURNER);
  const message = `Maximum sustainable CPU utilization limit ${(3000 * pct) / 100}ms exceeded for 3 seconds`;
  await waitFor('burner denylisted', async () => {
    // (a poll that queued behind the burner on its worker is failed with it: polled again)
    const r = await d.query("SELECT denylisted FROM osquery_schedule WHERE name = 'burner'");
    return r.json?.rows?.[0]?.denylisted === 1;
  }, 10_000);
  assert.ok(d.stderr.includes(`quarryd query worker stopping: ${message}`), d.stderr);
  assert.ok(d.stderr.includes(`Scheduled query burner was stopped by the watchdog (${message}); denylisted`), d.stderr);
  // --enable_watchdog_debug with --verbose: the measurements are logged
  assert.match(d.stderr, /watchdog: query worker \d \(tid \d+\) used \d+ ms CPU in \d+ ms \(limit \d+ ms; \d+ ms per 3 s at 25%\), query #\d+, sustained 3 of 3 s/);

  const http = await viaHttp;
  assert.equal(http.status, 503, http.text);
  assert.equal(http.json.error, message);

  // the light scheduled query runs on under the same limits
  const runs = async () => (await d.query("SELECT executions, denylisted FROM osquery_schedule WHERE name = 'light'")).json?.rows?.[0];
  const before = await waitFor('light status', runs);
  const after = await waitFor('light runs twice more', async () => {
    const r = await runs();
    return r && r.executions >= before.executions + 2 ? r : undefined;
  }, 5000);
  assert.equal(after.denylisted, 0);
  assert.equal(d.stderr.match(/quarryd query worker stopping/g)?.length, 2, `the two burners only:\n${d.stderr}`);
  assert.doesNotMatch(d.stderr, /Error executing scheduled query light/);
  assert.equal((await d.query('SELECT 1 AS one')).json.rows[0].one, 1);
  assert.equal((await d.stop()).code, 0);
});
