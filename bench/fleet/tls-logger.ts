/**
 * The tls logger plugin (outbox in LMDB, HTTPS POSTs to a real node:https server with openssl-made certificates) vs
 * the filesystem logger (the peer), in the same script: the same 232-byte result lines through TlsLogger and
 * FilesystemLogger, each flushed once, timed until the filesystem lines are written / the server accepted every line.
 * Then the outbox with the server down: 1,000,000 lines buffered, the process's peak RSS and the LMDB size.
 * Run: node --import tsx bench/fleet/tls-logger.ts [lines]   (packages built first; installs openssl if missing)
 */
import { execFileSync, spawn } from 'node:child_process';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EventStore } from '@quarry/buffers';
import { Flags } from '@quarry/config';
import { FilesystemLogger } from '@quarry/daemon/results/result-loggers';
import { remoteEndpointFromFlags, RemoteSession, TlsClient, TlsLogger, TLS_OUTBOX_STORE } from '@quarry/fleet';
import { PATHS } from '../../test/fleet/fleet-server.js';
import { makeTestPki } from '../../test/fleet/test-pki.js';

const LINES = Number(process.argv[2] ?? 200_000);
const BUFFERED = 1_000_000;
const root = new URL('../../', import.meta.url).pathname;
const line = JSON.stringify({ name: 'file_changes', hostIdentifier: 'bench', calendarTime: 'Sat Nov 28 00:00:00 2026 UTC', unixTime: 1795824000, epoch: 0, counter: 1, numerics: false, columns: { action: 'CREATED', target_path: '/var/tmp/quarry-demo/x' }, action: 'added' }).padEnd(231, ' ');
const quiet = { info: () => {}, warning: () => {}, error: (m: string) => console.error(m) };

execFileSync('sh', [join(root, 'scripts/ensure-debian-packages.sh'), 'openssl', '--', 'openssl'], { stdio: 'inherit' });
const pki = makeTestPki();
const dir = mkdtempSync('/tmp/quarry-fleet-bench-');
// The server runs in its own process: what is timed is the client's side.
const serverProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/fleet/fleet-server-process.ts'), pki.server.cert, pki.server.key], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve, reject) => {
  serverProcess.stdout!.setEncoding('utf8').on('data', (d: string) => {
    const m = /port (\d+)/.exec(d);
    if (m) resolve(Number(m[1]));
  });
  serverProcess.on('exit', (code) => reject(new Error(`the fleet server exited with ${code}`)));
});
const hostname = `127.0.0.1:${port}`;
const ca = readFileSync(pki.caFile);
function serverLogs(): Promise<number> {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: '/_stats', ca }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d)).on('end', () => resolve(JSON.parse(text).logs));
    }).on('error', reject);
  });
}

function tlsLogger(dbPath: string, hostname: string, maxLines: number): { logger: TlsLogger; store: EventStore; client: TlsClient } {
  const store = EventStore.open(dbPath, { role: 'publisher' });
  const { flags } = Flags.parse([`--tls_hostname=${hostname}`, `--tls_server_certs=${pki.caFile}`], { mode: 'daemon' });
  const client = new TlsClient(remoteEndpointFromFlags(flags));
  const session = new RemoteSession({
    client, state: store.kv('fleet'), log: quiet, enrollEndpoint: PATHS.enroll, secretPath: '', secretEnv: '', secretKeyName: 'enroll_secret',
    secretAlways: false, disableEnrollment: false, disableReenrollment: false, enrollMaxAttempts: 1, enrollMaxIntervalSeconds: 1,
    hostIdentifier: () => 'bench', hostDetails: async () => ({}),
  });
  const logger = new TlsLogger({
    session, outbox: store.kv(TLS_OUTBOX_STORE), state: store.kv('fleet'), log: quiet, endpoint: PATHS.log, periodSeconds: 1, maxLines,
    maxLineSize: 1 << 20, compress: false, backoffMaxSeconds: 1, statusLines: false, bufferedMax: 0,
  });
  return { logger, store, client };
}

try {
  // --- filesystem logger (the peer)
  const filesystem = new FilesystemLogger(join(dir, 'files'), 0o600);
  let started = performance.now();
  for (let i = 0; i < LINES; i++) filesystem.logString(line);
  filesystem.flush();
  const fsSeconds = (performance.now() - started) / 1000;
  filesystem.close();

  // --- tls logger, default --logger_tls_max_lines (1024) and a larger batch
  const rates: string[] = [];
  let tlsRate = 0;
  for (const maxLines of [1024, 8192]) {
    const before = await serverLogs();
    const { logger, store, client } = tlsLogger(join(dir, `db-${maxLines}`), hostname, maxLines);
    started = performance.now();
    for (let i = 0; i < LINES; i++) logger.logString(line);
    logger.flush();
    const bufferedAt = performance.now();
    while (logger.stats().buffered > 0) await logger.sendNow();
    const arrived = (await serverLogs()) - before;
    if (arrived !== LINES) throw new Error(`the server got ${arrived} lines, not ${LINES}`);
    const seconds = (performance.now() - started) / 1000;
    const rate = LINES / seconds;
    if (maxLines === 1024) tlsRate = rate;
    rates.push(`--logger_tls_max_lines=${maxLines}: ${Math.round(rate)} lines/s (outbox append ${Math.round(bufferedAt - started)} ms, sending ${Math.round(performance.now() - bufferedAt)} ms), ratio vs filesystem ${(rate / (LINES / fsSeconds)).toFixed(2)}x`);
    await logger.close();
    client.close();
    await store.close();
  }
  console.log(`tls logger vs filesystem logger, ${LINES} lines of ${line.length} bytes, HTTPS to 127.0.0.1:`);
  console.log(`  filesystem: ${Math.round(LINES / fsSeconds)} lines/s`);
  for (const r of rates) console.log(`  tls ${r}`);
  console.log(`  target >= 0.5x: ${tlsRate / (LINES / fsSeconds) >= 0.5 ? 'met' : 'NOT met'}`);

  // --- outbox while the server is down: 1,000,000 lines
  serverProcess.kill('SIGTERM');
  await new Promise((r) => serverProcess.once('exit', r));
  const { logger, store, client } = tlsLogger(join(dir, 'db-down'), hostname, 1024);
  const baseRss = process.memoryUsage().rss;
  let peak = baseRss;
  started = performance.now();
  for (let i = 0; i < BUFFERED; i++) {
    logger.logString(line);
    if (i % 10_000 === 9_999) {
      logger.flush(); // the scheduler flushes once per query run
      peak = Math.max(peak, process.memoryUsage().rss);
    }
  }
  logger.flush();
  await logger.sendNow(); // fails: connection refused, lines stay
  peak = Math.max(peak, process.memoryUsage().rss);
  const buffered = logger.stats().buffered;
  const seconds = (performance.now() - started) / 1000;
  const dbBytes = statSync(join(dir, 'db-down', 'data.mdb')).size;
  console.log(`outbox with the server down: ${buffered} lines buffered in ${seconds.toFixed(1)} s; peak RSS ${Math.round(peak / 1048576)} MB (${Math.round((peak - baseRss) / 1048576)} MB above the start), LMDB file ${Math.round(dbBytes / 1048576)} MB; target peak RSS <= 200 MB: ${peak <= 200 * 1048576 ? 'met' : 'NOT met'}`);
  await logger.close();
  client.close();
  await store.close();
} finally {
  serverProcess.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
