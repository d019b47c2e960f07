/**
 * quarryd HTTP bench: requests/s and p99 latency (autocannon) for `select * from uptime` and for a drain of
 * file_events, against a bare fastify route returning a constant (the floor, measured in the same script);
 * then 100 SSE clients receiving a burst of 1,000 file events (every client must get every event; p99 delivery).
 * Run: npm run build && node --import tsx bench/http/run.ts
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { QuarrydProcess, SseClient, waitFor } from '../../test/daemon/quarryd-process.js';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 16;

/**
 * CPU time (user + system, all threads) a process and the processes below it used so far, ms (Linux /proc; NaN
 * elsewhere): quarryd is a watcher and the worker process that serves HTTP.
 */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const own = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ = 100
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return own + children.reduce((total, child) => total + cpuMs(Number(child)), 0);
  } catch {
    return NaN;
  }
}

/** autocannon's per-connection hook (documented, missing from its type definitions). */
type CannonOptions = autocannon.Options & { setupClient?: (client: { setRequest(request: { method: string; path: string; headers: Record<string, string> }): void }) => void };

async function cannon(title: string, server: number | undefined, options: CannonOptions): Promise<{ rps: number; p99: number; errors: number; non2xx: number }> {
  const cpuBefore = cpuMs(server);
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options } as autocannon.Options);
  const cpu = cpuMs(server) - cpuBefore;
  const out = { rps: result.requests.average, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
  const perRequest = (cpu * 1000) / Math.max(1, result.requests.total ?? out.rps * DURATION);
  console.log(
    `${title.padEnd(34)} ${out.rps.toFixed(0).padStart(7)} req/s   p99 ${String(out.p99).padStart(4)} ms   server CPU ${perRequest.toFixed(0).padStart(3)} µs/req   non-2xx ${out.non2xx}   errors ${out.errors}`,
  );
  return out;
}

async function startFloor(): Promise<{ url: string; pid: number | undefined; stop(): void }> {
  const child = spawn(process.execPath, [new URL('./floor-server.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

// BENCH_CPU_PROF=<dir>: quarryd writes a V8 CPU profile there when it stops (node --cpu-prof).
const profileDir = process.env.BENCH_CPU_PROF;
const quarryd = new QuarrydProcess({
  // The load keeps quarryd's worker far above osquery's 10 % CPU limit: the watcher would restart it mid-run.
  flags: ['--http_rate_limit=0', '--http_max_concurrent_queries=8', '--watchdog_utilization_limit=10000'],
  ...(profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
});
quarryd.writeConfig({ file_paths: { bench: [`${quarryd.watchDir}/%%`] } });
const floor = await startFloor();
try {
  await quarryd.start();
  const auth = { authorization: `Bearer ${quarryd.token}`, 'content-type': 'application/json' };
  console.log(`quarryd HTTP bench: ${CONNECTIONS} connections, ${DURATION} s each, ${process.env.BENCH_CORES ?? 'shared'} cores`);
  // Each route is compared with the floor answering the same request (method, headers, JSON body parsed).
  const queryBody = JSON.stringify({ sql: 'select * from uptime' });
  const floorPost = await cannon('floor: POST, same body + headers', floor.pid, { url: `${floor.url}/constant`, method: 'POST', headers: auth, body: queryBody });
  const uptime = await cannon('POST /v1/query uptime', quarryd.child?.pid, { url: `${quarryd.url}/v1/query`, method: 'POST', headers: auth, body: queryBody });
  for (let i = 0; i < 200; i++) writeFileSync(join(quarryd.watchDir, `pre-${i}.txt`), String(i));
  const floorGet = await cannon('floor: GET, same headers', floor.pid, { url: `${floor.url}/constant?consumer=bench`, headers: auth });
  // Each connection drains as its own consumer (one drain per consumer at a time: a consumer shared by the 16
  // connections would mostly answer 409); the first drain of each gets the 200 stored rows, later ones what is new.
  let connection = 0;
  const drain = await cannon('GET /v1/events/file_events (drain)', quarryd.child?.pid, {
    url: `${quarryd.url}/v1/events/file_events?consumer=bench`,
    headers: auth,
    setupClient: (client) => {
      const consumer = `bench-${connection++}`;
      client.setRequest({ method: 'GET', path: `/v1/events/file_events?consumer=${consumer}`, headers: auth });
    },
  });
  console.log(`ratio uptime/floor ${(uptime.rps / floorPost.rps).toFixed(3)}   drain/floor ${(drain.rps / floorGet.rps).toFixed(3)}   (target >= 0.25)`);

  // 100 SSE clients, burst of 1,000 file creations
  const CLIENTS = 100;
  const BURST = 1000;
  const clients = Array.from({ length: CLIENTS }, () => new SseClient(`${quarryd.url}/v1/events/file_events/stream?where=${encodeURIComponent("target_path LIKE '%burst-%'")}`, quarryd.token));
  await waitFor('SSE clients open', () => clients.every((c) => c.status === 200), 20_000);
  // The burst is written by its own process (timestamps on the shared wall clock): writing it here would block
  // this process's event loop, and with it the SSE clients, for the whole burst.
  const started = performance.now();
  const writer = spawn(process.execPath, [new URL('./burst-writer.mjs', import.meta.url).pathname, quarryd.watchDir, String(BURST)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let writerOut = '';
  writer.stdout!.setEncoding('utf8').on('data', (d: string) => (writerOut += d));
  await new Promise<void>((resolve, reject) => writer.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`burst writer exited with ${code}`)))));
  const writeMs = performance.now() - started;
  const written = new Map<string, number>(Object.entries(JSON.parse(writerOut) as Record<string, number>));
  const created = (c: SseClient) => new Set(c.rows().filter((r) => r.action === 'CREATED').map((r) => r.target_path as string));
  await waitFor('every client has every event', () => clients.every((c) => created(c).size >= BURST), 120_000).catch(() => undefined);
  const latencies: number[] = [];
  let complete = 0;
  for (const client of clients) {
    const seen = new Set<string>();
    for (const event of client.events) {
      const row = JSON.parse(event.data);
      if (row.action !== 'CREATED' || seen.has(row.target_path)) continue;
      seen.add(row.target_path);
      const at = written.get(row.target_path);
      if (at !== undefined) latencies.push(performance.timeOrigin + event.at - at);
    }
    if (seen.size >= BURST) complete++;
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
  console.log(`SSE: ${CLIENTS} clients x ${BURST} events (burst written in ${writeMs.toFixed(0)} ms): ${complete}/${CLIENTS} clients got every event; ` +
    `delivery latency p50 ${pct(0.5).toFixed(0)} ms, p99 ${pct(0.99).toFixed(0)} ms, max ${pct(1).toFixed(0)} ms (${latencies.length} deliveries)`);
  clients.forEach((c) => c.close());
} catch (error) {
  console.error(`bench failed: ${(error as Error).message}\nquarryd exit code: ${quarryd.exitCode} signal ${quarryd.exitSignal}\nquarryd stderr (tail):\n${quarryd.stderr.slice(-3000)}`);
  process.exitCode = 1;
} finally {
  floor.stop();
  await quarryd.stop();
  quarryd.cleanup();
}
