/**
 * Outage: a real quarryd logs ~1,000 result lines/s (a snapshot query of 1,000 random rows every second, one line per
 * row with --logger_snapshot_event_type) to the filesystem logger (the peer: the reference of what was logged) and
 * the tls logger at once. The test fleet server goes down for OUTAGE seconds (default 60); halfway, the process
 * running the agent is killed -9. After the server is back and the outbox drained, every line in the filesystem log
 * is looked up at the server: prints delivered, lost and duplicated.
 * Run: node --import tsx bench/fleet/outage.ts [outage seconds]   (npm run build first)
 */
import { readFileSync } from 'node:fs';
import { waitFor } from '../../test/daemon/quarryd-process.js';
import { fleetQuarryd, killNine, startFleetServer } from '../../test/fleet/fleet-harness.js';

const OUTAGE = Number(process.argv[2] ?? 60);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BURST = { burst: { query: 'with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000) select abs(random()) as r from c', interval: 1, snapshot: true } };

const server = await startFleetServer();
const d = fleetQuarryd(server, ['--logger_plugin=filesystem,tls', '--logger_snapshot_event_type=true', '--tls_disable_status_log=true'], { config: { schedule: BURST } });
const valueOf = (line: any): string => String(line?.columns?.r ?? line?.snapshot?.[0]?.r);
const fileValues = () => readFileSync(d.snapshotsLog, 'utf8').split('\n').filter(Boolean).map((l) => valueOf(JSON.parse(l)));
const serverValues = () => server.logs.filter((l) => l.log_type === 'result' && l.line.name === 'burst').map((l) => valueOf(l.line));
async function buffered(): Promise<number> {
  const match = /^quarry_tls_logger_buffered_lines (\d+)$/m.exec((await d.request('GET', '/metrics')).text);
  return match ? Number(match[1]) : -1;
}

try {
  await d.start();
  await waitFor('lines at the server', () => serverValues().length >= 1000, 30_000);
  await sleep(5000);
  await server.stop();
  const downAt = Date.now();
  await sleep((OUTAGE * 1000) / 2);
  let peakBuffered = await buffered();
  await killNine(d);
  while (Date.now() - downAt < OUTAGE * 1000) {
    peakBuffered = Math.max(peakBuffered, await buffered());
    await sleep(1000);
  }
  await server.restart();
  const backAt = Date.now();
  await waitFor('the outbox to drain', async () => (await buffered()) < 2000, 300_000);
  const drainSeconds = (Date.now() - backAt) / 1000;
  await d.stop();
  d.writeConfig({ schedule: {} });
  await d.start();
  await waitFor('the last lines', async () => (await buffered()) === 0, 60_000);
  await sleep(1500);
  await d.stop();
  const logged = fileValues();
  const delivered = serverValues();
  const deliveredSet = new Set(delivered);
  const lost = logged.filter((v) => !deliveredSet.has(v)).length;
  const duplicated = delivered.length - deliveredSet.size;
  console.log(`outage: server down ${OUTAGE} s under ~1,000 result lines/s, the agent killed -9 once meanwhile:`);
  console.log(`  logged (filesystem peer) ${logged.length}, delivered ${deliveredSet.size}, lost ${lost}, duplicated ${duplicated}`);
  console.log(`  peak outbox ${peakBuffered} lines; drained to < 2,000 lines ${drainSeconds.toFixed(1)} s after the server came back`);
  console.log(`  target lost 0, duplicated 0: ${lost === 0 && duplicated === 0 ? 'met' : 'NOT met'}`);
} finally {
  await d.stop();
  d.cleanup();
  await server.close();
}
