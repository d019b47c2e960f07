/**
 * Distributed query latency: a real quarryd (bin/quarryd.js, --distributed_interval=1) and the test fleet server
 * (HTTPS, openssl-made certificates). Each sample puts one query on the server and times until its rows arrive
 * there (read poll + run in the query pool + write). The peer, in the same script, is the same query through
 * quarryd's own HTTP endpoint (/v1/query): the floor of running it, without the polling. Prints p50/p99 of both.
 * Run: node --import tsx bench/fleet/distributed-latency.ts [samples]   (npm run build first)
 */
import { QuarrydProcess, waitFor } from '../../test/daemon/quarryd-process.js';
import { fleetQuarryd, startFleetServer } from '../../test/fleet/fleet-harness.js';

const SAMPLES = Number(process.argv[2] ?? 60);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

const server = await startFleetServer();
const d: QuarrydProcess = fleetQuarryd(server, ['--disable_distributed=false', '--distributed_interval=1']);
try {
  await d.start();
  await waitFor('enrollment', () => server.nodeKeys.size > 0, 20_000);
  const fleet: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const id = `q${i}`;
    const sql = `select ${i} as n, count(*) as c from processes`;
    const asked = performance.now();
    server.queries = { ...server.queries, [id]: sql };
    await waitFor(`the rows of ${id}`, () => server.results.has(id), 20_000);
    fleet.push(performance.now() - asked);
    const started = performance.now();
    const answer = await d.query(sql);
    if (answer.status !== 200) throw new Error(answer.text);
    direct.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, Math.random() * 1000)); // a random point of the poll cycle
  }
  const ms = (v: number) => `${Math.round(v)} ms`;
  console.log(`distributed query latency, ${SAMPLES} samples, --distributed_interval=1, HTTPS to 127.0.0.1:`);
  console.log(`  query appears on the server -> rows arrive there: p50 ${ms(percentile(fleet, 50))}, p99 ${ms(percentile(fleet, 99))}, max ${ms(Math.max(...fleet))}`);
  console.log(`  peer, the same query through /v1/query:          p50 ${ms(percentile(direct, 50))}, p99 ${ms(percentile(direct, 99))}`);
  console.log(`  target p99 <= 2 s: ${percentile(fleet, 99) <= 2000 ? 'met' : 'NOT met'}`);
} finally {
  await d.stop();
  d.cleanup();
  await server.close();
}
