/**
 * FIM burst bench (issue §7): 20,000 creates, 20,000 writes and 20,000 deletes in a watched tree, while
 * `inotifywait -m -r` watches the same tree as the peer.
 *
 * Completeness is counted per file operation, comparably for both: for each phase, the number of distinct files for
 * which the expected action was seen (Quarry: a file_events row CREATED / UPDATED / DELETED readable in the ring;
 * inotifywait: a CREATE / CLOSE_WRITE / DELETE line), divided by the number of operations. Raw event counts differ
 * by design (inotifywait prints CREATE+MODIFY+CLOSE_WRITE for one write, Quarry stores one row), so they are
 * printed but not compared.
 * Latency: operation time (recorded by the child doing the burst) → the row is readable through ring.peek() from
 * another process (this one, a consumer of the same LMDB store, polling every 5 ms), as quarryi reads next to quarryd.
 * Peak RSS: VmHWM of the publishing process (bench/fim/publisher-child.mjs: runtime + inotify publisher +
 * file_events subscriber + LMDB writer, plain Node on the built packages).
 *
 * Run: node --import tsx bench/fim/burst.ts [--count=20000] [--dirs=20]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openBenchStore } from './store.js';

const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};
const COUNT = arg('count', 20000);
const DIRS = arg('dirs', 20);

function ensureInotifyTools(): void {
  if (spawnSync('sh', ['-c', 'command -v inotifywait']).status === 0) return;
  console.log('installing inotify-tools (apt-get)...');
  let r = spawnSync('apt-get', ['install', '-y', 'inotify-tools'], { stdio: 'inherit' });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    r = spawnSync('apt-get', ['install', '-y', 'inotify-tools'], { stdio: 'inherit' });
  }
  if (r.status !== 0) throw new Error('inotify-tools could not be installed: run apt-get install -y inotify-tools as root');
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  ensureInotifyTools();
  const tree = mkdtempSync('/var/tmp/quarry-fim-bench-');
  const dbDir = mkdtempSync(`${tmpdir()}/quarry-fim-bench-db-`);
  const publisher = spawn(process.execPath, [...(process.env['FIM_PUBLISHER_NODE_ARGS']?.split(' ').filter(Boolean) ?? []), fileURLToPath(new URL('./publisher-child.mjs', import.meta.url)), tree, dbDir, String(COUNT)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const publisherLines = createInterface({ input: publisher.stdout! })[Symbol.asyncIterator]();
  const ask = async (command: string): Promise<Record<string, unknown>> => {
    if (command) publisher.stdin!.write(command + '\n');
    const { value } = await publisherLines.next();
    return JSON.parse(String(value)) as Record<string, unknown>;
  };
  const started = await ask('');
  const { store, close } = await openBenchStore(dbDir, 'consumer');
  const ring = store.ring('file_events');

  // The peer.
  // inotifywait writes to a file (-o), read after each phase, so parsing its 200k+ lines does not load this process
  // while it measures Quarry's latency.
  const peerLog = `${dbDir}/inotifywait.log`;
  const peer: ChildProcess = spawn('inotifywait', ['-m', '-r', '-q', '-o', peerLog, '--format', '%e|%w%f', tree], { stdio: 'ignore' });
  const peerSeen = { CREATE: new Set<string>(), CLOSE_WRITE: new Set<string>(), DELETE: new Set<string>() };
  let peerLines = 0;
  let peerOffset = 0;
  const readPeer = (): void => {
    const text = readFileSync(peerLog, 'utf8');
    const fresh = text.slice(peerOffset, text.lastIndexOf('\n') + 1);
    peerOffset += fresh.length;
    for (const line of fresh.split('\n')) {
      if (!line) continue;
      peerLines++;
      const bar = line.indexOf('|');
      const path = line.slice(bar + 1);
      for (const e of line.slice(0, bar).split(',')) if (e in peerSeen) peerSeen[e as keyof typeof peerSeen].add(path);
    }
  };
  await new Promise((r) => setTimeout(r, 1000)); // inotifywait sets its watches

  // Quarry's rows, polled from the ring as a reader would see them.
  const seenAt = new Map<string, number>(); // `${action} ${path}` → first time readable
  const seenPerAction = new Map<string, number>(); // action → burst files (…/d<k>/f<i>) seen with it
  const burstPrefix = `${tree}/d`;
  let lastEid = 0;
  let rowsTotal = 0;
  const poll = (): void => {
    const rows = ring.peek({ eidFrom: lastEid + 1 });
    const t = performance.timeOrigin + performance.now();
    for (const row of rows) {
      rowsTotal++;
      lastEid = Math.max(lastEid, Number(row.eid));
      const key = `${row['action']} ${row['target_path']}`;
      if (!seenAt.has(key)) {
        seenAt.set(key, t);
        // Counted here, once per new row, so the wait loop below does not rescan 20,000 paths every 50 ms
        // (that scan competed for the CPU with the process being measured).
        const target = String(row['target_path']);
        if (target.startsWith(burstPrefix) && target.includes('/f', burstPrefix.length)) seenPerAction.set(String(row['action']), (seenPerAction.get(String(row['action'])) ?? 0) + 1);
      }
    }
  };
  const poller = setInterval(poll, 5);

  const child = spawn(process.execPath, [fileURLToPath(new URL('./burst-ops.mjs', import.meta.url)), tree, String(COUNT), String(DIRS)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const childLines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  await new Promise((r) => setTimeout(r, 500)); // directories d0.. exist and are watched
  const phases: Array<{ phase: string; action: string; peerKey: keyof typeof peerSeen }> = [
    { phase: 'create', action: 'CREATED', peerKey: 'CREATE' },
    { phase: 'write', action: 'UPDATED', peerKey: 'CLOSE_WRITE' },
    { phase: 'delete', action: 'DELETED', peerKey: 'DELETE' },
  ];
  const paths = Array.from({ length: COUNT }, (_, i) => `${tree}/d${i % DIRS}/f${i}`);
  const report: string[] = [];
  const allLatencies: number[] = [];
  const opTimes: Record<string, number[]> = {};
  for (const { phase, action, peerKey } of phases) {
    child.stdin!.write('go\n');
    const { value } = await childLines.next();
    const result = JSON.parse(String(value)) as { started: number; ended: number; times: number[] };
    opTimes[action] = result.times;
    // Wait until every row arrived or nothing new came for 3 s.
    let lastCount = -1;
    let stableSince = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const got = seenPerAction.get(action) ?? 0;
      if (got === COUNT) break;
      if (got !== lastCount) {
        lastCount = got;
        stableSince = Date.now();
      } else if (Date.now() - stableSince > 3000) break;
    }
    await new Promise((r) => setTimeout(r, 300));
    const latencies: number[] = [];
    let quarryFound = 0;
    paths.forEach((p, i) => {
      const at = seenAt.get(`${action} ${p}`);
      if (at === undefined) return;
      quarryFound++;
      latencies.push(at - result.times[i]!);
    });
    latencies.sort((a, b) => a - b);
    allLatencies.push(...latencies);
    readPeer();
    const peerFound = paths.filter((p) => peerSeen[peerKey].has(p)).length;
    const burstMs = result.ended - result.started;
    report.push(
      `${phase.padEnd(6)} ops=${COUNT} in ${burstMs.toFixed(0)} ms (${Math.round(COUNT / (burstMs / 1000))}/s) | ` +
        `quarry ${action}: ${quarryFound}/${COUNT} (${((100 * quarryFound) / COUNT).toFixed(2)}%) | ` +
        `inotifywait ${peerKey}: ${peerFound}/${COUNT} (${((100 * peerFound) / COUNT).toFixed(2)}%) | ` +
        `ratio quarry/inotifywait ${(quarryFound / Math.max(1, peerFound)).toFixed(4)} | ` +
        `latency p50 ${percentile(latencies, 50).toFixed(1)} ms p99 ${percentile(latencies, 99).toFixed(1)} ms max ${percentile(latencies, 100).toFixed(1)} ms`,
    );
  }
  clearInterval(poller);
  const stages = await ask('fired');
  const fired = stages['fired'] as Record<string, number[]>;
  const appended = stages['appended'] as Record<string, number[]>;
  const final = await ask('status');
  const status = final['status'] as Array<{ type: string; status: string }>;
  const peakRss = Number(final['vmHWMkB']) * 1024;
  await ask('stop');
  child.kill();
  peer.kill();
  await close();
  rmSync(tree, { recursive: true, force: true });
  rmSync(dbDir, { recursive: true, force: true });
  allLatencies.sort((a, b) => a - b);
  const stageLatency = (stamps: Record<string, number[]>): string[] =>
    phases.map(({ action }) => {
      const lat: number[] = [];
      paths.forEach((_, i) => {
        const at = stamps[action]![i]!;
        if (at > 0) lat.push(at - opTimes[action]![i]!);
      });
      lat.sort((a, b) => a - b);
      return `${action} p50 ${percentile(lat, 50).toFixed(1)} / p99 ${percentile(lat, 99).toFixed(1)} ms`;
    });
  const firedLatency = stageLatency(fired);
  const appendedLatency = stageLatency(appended);
  const inspectedLatency = stageLatency(stages['inspected'] as Record<string, number[]>);
  console.log(`FIM burst: ${COUNT} creates, ${COUNT} writes, ${COUNT} deletes over ${DIRS} directories`);
  for (const line of report) console.log('  ' + line);
  console.log(`  all phases: latency p50 ${percentile(allLatencies, 50).toFixed(1)} ms, p99 ${percentile(allLatencies, 99).toFixed(1)} ms (target p99 <= 250 ms)`);
  console.log(`  stage: file-op → publisher fired the context: ${firedLatency.join(', ')}`);
  console.log(`  stage: file-op → row built (stat + hashes done): ${inspectedLatency.join(', ')}`);
  console.log(`  stage: file-op → row committed to LMDB: ${appendedLatency.join(', ')}`);
  const appendStats = final['appendStats'] as { appends: number; rows: number; totalMs: number; maxMs: number };
  console.log(
    `  stage: LMDB appends ${appendStats.appends} for ${appendStats.rows} rows, ${appendStats.totalMs.toFixed(0)} ms in total ` +
      `(event loop blocked; max ${appendStats.maxMs.toFixed(1)} ms, mean ${(appendStats.totalMs / Math.max(1, appendStats.appends)).toFixed(1)} ms)`,
  );
  console.log(`  rows stored: ${rowsTotal}; inotifywait raw lines: ${peerLines} (raw counts differ by design: one row per write vs CREATE+MODIFY+CLOSE_WRITE)`);
  console.log(`  peak RSS of the publishing process: ${(peakRss / 1048576).toFixed(1)} MB (target <= 200 MB; ${(Number(started['vmRSSkB']) / 1024).toFixed(1)} MB after start)`);
  const cpu = final['cpu'] as { user: number; system: number } | undefined;
  if (cpu) console.log(`  CPU time of the publishing process (all threads, whole run): user ${(cpu.user / 1e6).toFixed(2)} s, system ${(cpu.system / 1e6).toFixed(2)} s`);
  const peaks = final['memoryPeaks'] as Record<string, number> | undefined;
  if (peaks) console.log(`  memory peaks (main thread, sampled every 20 ms): ${Object.entries(peaks).map(([k, v]) => `${k} ${(v / 1048576).toFixed(1)} MB`).join(', ')}`);
  const publisherStatus = status.find((s) => s.type === 'publisher') as { status?: string; refreshes?: number } | undefined;
  console.log(`  publisher status: ${publisherStatus?.status}; inotify reads handed to the main thread (refreshes): ${publisherStatus?.refreshes}`);
  console.log(`  load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
}

await main();
