/**
 * Quarry's own stress script: N processes x M drains of one consumer through the real buffers API
 * (acquireDrain / read / commit with the lease released in the cursor's transaction) while this process publishes
 * 7 rows every ~3 ms. Every row id must be delivered exactly once. Every KILL_EVERY-th round (and the first), one
 * drainer is killed with SIGKILL between its read and its commit: its rows must come again, once, from another drain.
 * A delivery counts when its commit returned (the child prints "committed a b" right after). After the drainers end,
 * this process drains what is left the same way and checks the union is 1..last eid, each once.
 *
 * Usage: node --import tsx bench/buffers/stress-drains.ts [--rounds=N] [--processes=4] [--drains=M] [--busy=K]
 * Prints rounds, processes, rows, lost, duplicated, re-delivered after kill -9 and the commit rate; exits 1 on any
 * loss or duplicate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DrainBusyError, EventStore, drainOwner, type EventRing } from '@quarry/buffers';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CONSUMER = 'siem';
const KILL_EVERY = 10;

/** One drain: lease, read on a fresh snapshot, deliver (print), commit + release in one transaction. */
async function drainOnce(ring: EventRing, onRead?: (first: number, last: number) => Promise<void>): Promise<[number, number] | 'busy' | 'empty'> {
  const owner = drainOwner();
  try {
    ring.acquireDrain(CONSUMER, owner);
  } catch (error) {
    if (error instanceof DrainBusyError) return 'busy';
    throw error;
  }
  const rows = ring.read(CONSUMER);
  if (rows.length === 0) {
    ring.releaseDrain(CONSUMER, owner);
    return 'empty';
  }
  const first = rows[0]!.eid;
  const last = rows[rows.length - 1]!.eid;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.eid !== first + i) throw new Error(`rows not contiguous: ${first}+${i} is ${rows[i]!.eid}`);
  }
  await onRead?.(first, last);
  ring.commit(CONSUMER, last, owner);
  return [first, last];
}

/** A drainer: for each "round <dir> <drains> <hold>" line, drains that many times; with hold=1 it waits after a read. */
async function child(): Promise<void> {
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, dir, drainsText, holdText] = line.split(' ');
    if (command !== 'round' || !dir) break;
    const store = EventStore.open(dir, { role: 'consumer' });
    const ring = store.ring('file_events');
    let busy = 0;
    let commits = 0;
    let holdPending = holdText === '1';
    for (let i = 0; i < Number(drainsText) || holdPending; i++) {
      // the killed drainer holds its first delivery after its third attempt (drains may be refused or find nothing)
      const hold = holdPending && i >= 3;
      const outcome = await drainOnce(ring, async (first, last) => {
        if (!hold) return;
        holdPending = false;
        process.stdout.write(`holding ${first} ${last}\n`); // the parent kills us here: read, not committed
        await sleep(60_000);
      });
      if (outcome === 'busy') busy++;
      else if (outcome !== 'empty') {
        commits++;
        process.stdout.write(`committed ${outcome[0]} ${outcome[1]}\n`);
      }
      await sleep(Math.random() * 3);
    }
    await store.close();
    process.stdout.write(`end ${busy} ${commits}\n`);
  }
}

interface Drainer {
  process: ChildProcess;
  lines: string[];
  waitFor(pattern: RegExp): Promise<string>;
  exited: Promise<void>;
}

function startDrainer(): Drainer {
  const proc = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, 'child'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => {
    for (const wake of waiters.splice(0)) wake();
    resolve();
  }));
  return {
    process: proc,
    lines,
    exited,
    async waitFor(pattern) {
      for (;;) {
        const found = lines.find((l) => pattern.test(l));
        if (found) return found;
        if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`drainer ${proc.pid} exited before ${pattern}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

async function main(): Promise<void> {
  const rounds = Number(arg('rounds', '50'));
  const processes = Number(arg('processes', '4'));
  const drains = Number(arg('drains', '20'));
  const busyLoops = Number(arg('busy', '0'));
  const loops = Array.from({ length: busyLoops }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  const root = mkdtempSync(join(tmpdir(), 'quarry-stress-drains-'));
  let drainers = Array.from({ length: processes }, startDrainer);
  let rows = 0;
  let lost = 0;
  let duplicated = 0;
  let commits = 0;
  let appends = 0;
  let kills = 0;
  let redelivered = 0;
  let failedRounds = 0;
  let done = 0;
  const started = performance.now();
  try {
    for (let round = 1; round <= rounds; round++) {
      const dir = join(mkdtempSync(join(root, 'round-')), 'db');
      const store = EventStore.open(dir, { role: 'publisher', eventsExpiry: 0, eventsMax: 0, expiryIntervalMs: 0, markerIntervalMs: 0 });
      const ring = store.ring('file_events');
      const killRound = round === 1 || round % KILL_EVERY === 0;
      const lineCounts = drainers.map((d) => d.lines.length);
      drainers.forEach((d, i) => d.process.stdin!.write(`round ${dir} ${drains} ${killRound && i === 0 ? 1 : 0}\n`));
      let publishing = true;
      const publisher = (async () => {
        for (let batch = 0; publishing; batch++) {
          ring.appendSync(Array.from({ length: 7 }, (_, n) => ({ batch, n })));
          appends++;
          await sleep(3);
        }
      })();
      let killedRange: [number, number] | undefined;
      if (killRound) {
        const victim = drainers[0]!;
        const line = await victim.waitFor(/^holding /);
        const [, a, b] = line.split(' ');
        killedRange = [Number(a), Number(b)];
        victim.process.kill('SIGKILL');
        await victim.exited;
        kills++;
      }
      await Promise.all(drainers.map((d, i) => (killRound && i === 0 ? Promise.resolve('') : d.waitFor(/^end /).then(() => ''))));
      publishing = false;
      await publisher;
      // what is left: this process drains it the same way
      const delivered: Array<[number, number]> = [];
      for (;;) {
        const outcome = await drainOnce(ring);
        if (outcome === 'empty') break;
        if (outcome === 'busy') throw new Error('the final drain found the lease busy: every drainer has ended or was killed');
        delivered.push(outcome);
      }
      drainers.forEach((d, i) => {
        for (const line of d.lines.slice(lineCounts[i])) {
          if (!line.startsWith('committed ')) continue;
          const [, a, b] = line.split(' ');
          delivered.push([Number(a), Number(b)]);
        }
        d.lines.splice(0, d.lines.length);
      });
      const lastEid = ring.stats().rows;
      const seen = new Uint8Array(lastEid + 1);
      let roundDuplicated = 0;
      for (const [a, b] of delivered) {
        for (let eid = a; eid <= b; eid++) {
          if (eid > lastEid) roundDuplicated++; // an eid that was never appended
          else if (seen[eid]++ > 0) roundDuplicated++;
        }
      }
      let roundLost = 0;
      for (let eid = 1; eid <= lastEid; eid++) if (seen[eid] === 0) roundLost++;
      if (killedRange) {
        for (let eid = killedRange[0]; eid <= killedRange[1]; eid++) if (seen[eid] === 1) redelivered++;
      }
      commits += delivered.length;
      rows += lastEid;
      lost += roundLost;
      duplicated += roundDuplicated;
      if (roundLost + roundDuplicated > 0) failedRounds++;
      await store.close();
      rmSync(join(dir, '..'), { recursive: true, force: true });
      if (killRound) drainers = [startDrainer(), ...drainers.slice(1)];
      done = round;
      if (round % 50 === 0 || round === rounds) {
        const seconds = (performance.now() - started) / 1000;
        console.log(`  ${round}/${rounds} rounds, ${rows} rows, lost ${lost}, duplicated ${duplicated}, kills ${kills}, ${(commits / seconds).toFixed(0)} drain commits/s`);
      }
    }
  } finally {
    for (const d of drainers) d.process.kill('SIGKILL');
    for (const loop of loops) loop.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`stress-drains busy-loops=${busyLoops}`);
  console.log(`  rounds: ${done}, processes: ${processes} drainers x ${drains} drains of consumer "${CONSUMER}" + 1 publisher (7 rows / ~3 ms)`);
  console.log(`  rows: ${rows}; lost ${lost}; duplicated ${duplicated}; failed rounds ${failedRounds}`);
  console.log(`  kill -9 mid-drain: ${kills} drainers killed between read and commit; their ${redelivered} rows came again, once`);
  console.log(`  commit rate: ${(commits / seconds).toFixed(0)} drain commits/s, ${(appends / seconds).toFixed(0)} append commits/s (${seconds.toFixed(1)} s)`);
  if (lost > 0 || duplicated > 0) process.exitCode = 1;
}

if (process.argv[2] === 'child') await child();
else await main();
