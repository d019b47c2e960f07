/**
 * The memory attack of issue #10: eight parallel `SELECT randomblob(90000000)` over HTTP against a real quarryd
 * (default --watchdog_memory_limit, 200 MB). Prints quarryd's peak RSS (watcher and worker processes together, sampled from /proc every 10 ms) against the
 * budget `workers x 2 x --watchdog_memory_limit + 250 MB` and against the same quarryd idle (the peer, measured in
 * the same script), the answers' statuses, and that quarryd still answers afterwards. A second round sends blobs
 * just under the result size limit (16 MB: a BLOB counts three times its bytes against the 50 MB limit), which
 * succeed and are the largest results quarryd builds.
 * Run: npm run build && node --import tsx bench/daemon/memory-attack.ts [workers]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { QuarrydProcess } from '../../test/daemon/quarryd-process.js';

const WORKERS = Number(process.argv[2] ?? 4);
const LIMIT_MB = 200;
const PARALLEL = 8;

/** RSS of `pid` and every process below it (quarryd's watcher and its worker process), MB. */
function rssMb(pid: number): number {
  let kb = 0;
  try {
    kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0; // gone meanwhile
  }
  let children: string[] = [];
  try {
    children = readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean));
  } catch {
    // no children file (gone meanwhile)
  }
  return kb / 1024 + children.reduce((sum, child) => sum + rssMb(Number(child)), 0);
}

async function attack(quarryd: QuarrydProcess, pid: number, blobBytes: number): Promise<{ peak: number; statuses: string }> {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 10);
  const answers = await Promise.all(
    Array.from({ length: PARALLEL }, () =>
      fetch(`${quarryd.url}/v1/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${quarryd.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sql: `SELECT randomblob(${blobBytes}) AS b` }),
        signal: AbortSignal.timeout(120_000),
      })
        .then(async (response) => {
          await response.arrayBuffer();
          return String(response.status);
        })
        .catch((error: Error) => `${error.name} (${error.message})`),
    ),
  );
  await new Promise((r) => setTimeout(r, 300));
  clearInterval(timer);
  const counts = new Map<string, number>();
  for (const status of answers) counts.set(status, (counts.get(status) ?? 0) + 1);
  return { peak, statuses: [...counts].map(([status, n]) => `${n} x ${status}`).join(', ') };
}

/** A port free now: the endpoint keeps it when quarryd's watcher replaces its worker process (port 0 would not). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const quarryd = new QuarrydProcess({ config: { schedule: {} }, flags: [`--http_port=${await freePort()}`, `--worker_threads=${WORKERS}`, '--http_rate_limit=0', `--http_max_concurrent_queries=${PARALLEL}`] });
try {
  await quarryd.start();
  const pid = quarryd.child!.pid!;
  await new Promise((r) => setTimeout(r, 1500));
  const idle = rssMb(pid);
  const budget = WORKERS * 2 * LIMIT_MB + 250;
  console.log(`quarryd memory attack: ${WORKERS} query workers, --watchdog_memory_limit=${LIMIT_MB}MB, budget ${budget} MB (workers x 2 x limit + 250 MB)`);
  console.log(`idle quarryd (peer)                      RSS ${idle.toFixed(0).padStart(5)} MB`);
  for (const [title, bytes] of [
    [`${PARALLEL} x randomblob(90000000)`, 90_000_000],
    [`${PARALLEL} x randomblob(16000000) (under limit)`, 16_000_000],
  ] as const) {
    const { peak, statuses } = await attack(quarryd, pid, bytes);
    console.log(
      `${title.padEnd(40)} peak ${peak.toFixed(0).padStart(5)} MB   ${(peak / budget).toFixed(2)}x budget   ${(peak / idle).toFixed(2)}x idle   answers: ${statuses}`,
    );
  }
  // (over the watcher's limit, quarryd's worker process is replaced: wait for it to answer again)
  const since = Date.now();
  let status = 0;
  while (status !== 200 && Date.now() - since < 60_000) {
    status = await quarryd.request('POST', '/v1/query', { body: { sql: 'SELECT 1 AS one' } }).then((r) => r.status, () => 0);
    if (status !== 200) await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`afterwards: SELECT 1 answers ${status} after ${((Date.now() - since) / 1000).toFixed(1)} s; RSS ${rssMb(pid).toFixed(0)} MB`);
} finally {
  await quarryd.stop();
  quarryd.cleanup();
}
