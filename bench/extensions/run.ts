/**
 * Extension API benchmarks, each against a peer in the same run:
 *  1. `select *` of 100,000 rows of a Python extension table through quarryd's manager socket (query()) vs the same
 *     extension's generate called directly over Thrift by the same Python client (target <= 1.3x);
 *  2. query("select * from uptime") round trip through the manager socket vs POST /v1/query.
 * Python side: Debian's python3-thrift with code thrift-compiler generates from packages/extensions/osquery.thrift.
 * Run: npm run build && node --import tsx bench/extensions/run.ts
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QuarrydProcess } from '../../test/daemon/quarryd-process.js';
import { PYTHON, pythonPath, startPythonExtension } from '../../test/extensions/thrift-peers.js';

const ROWS = Number(process.env.QUARRY_BENCH_EXT_ROWS ?? 100_000);
const ROUNDS = Number(process.env.QUARRY_BENCH_EXT_ROUNDS ?? 7);
const UPTIME_ROUNDS = 300;

const daemon = new QuarrydProcess({ flags: ['--disable_watchdog', '--query_timeout=60', '--http_rate_limit=1000000'] });
const socket = join(daemon.dir, 'ext', 'osquery.em');
pythonPath();
await daemon.start();
const extension = await startPythonExtension(socket, 'rows', { QUARRY_EXT_ROWS: String(ROWS), QUARRY_EXT_NAME: 'py_rows' });
try {
  await new Promise((r) => setTimeout(r, 500));
  const script = fileURLToPath(new URL('./python_bench.py', import.meta.url));
  const out = execFileSync(
    PYTHON,
    [script, socket, `${socket}.${extension.uuid}`, 'py_rows', daemon.url, daemon.token, String(ROUNDS), String(UPTIME_ROUNDS)],
    { env: { ...process.env, PYTHONPATH: pythonPath() }, encoding: 'utf8', timeout: 600_000 },
  );
  const r = JSON.parse(out) as Record<string, { median_ms: number; min_ms: number }> & { rows: number };
  const fmt = (x: { median_ms: number; min_ms: number }) => `median ${x.median_ms.toFixed(2)} ms (min ${x.min_ms.toFixed(2)})`;
  console.log(`extensions: select * of ${r.rows} rows from a Python extension table (${ROUNDS} rounds, same Python client)`);
  console.log(`  generate called directly on the extension: ${fmt(r.generate!)}`);
  console.log(`  query() through quarryd's manager:          ${fmt(r.quarry!)}`);
  console.log(`  ratio quarry / direct: ${(r.quarry!.median_ms / r.generate!.median_ms).toFixed(2)}x (target <= 1.3x)`);
  console.log(`extensions: select * from uptime round trip (${UPTIME_ROUNDS} rounds, Python clients)`);
  console.log(`  query() on the manager socket: ${fmt(r.uptime!)}`);
  console.log(`  POST /v1/query (keep-alive):   ${fmt(r.http!)}`);
  console.log(`  ratio manager / HTTP: ${(r.uptime!.median_ms / r.http!.median_ms).toFixed(2)}x`);
} finally {
  await extension.stop();
  await daemon.stop();
}
