/**
 * yara_process against `yara RULES PID`, sigurl over real HTTPS (allow-listed, refused, failing), and what an
 * unprivileged user meets (an unreadable file, yara_process without root).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Engine } from '@quarry/sql';
import { Flags } from '@quarry/config';
import { createYaraTables } from '@quarry/tables/yara/index';
import { ensureYara, runYara } from './yara-fixtures.js';

let dir: string;
let engine: Engine;
let server: Worker;
let port: number;
let sleeper: ChildProcess;
const marker = `QUARRY_PROC_MARK_${process.pid}_${Date.now()}`;
const rulesBody = 'rule served_rule : remote { strings: $s = "served-content" condition: $s }';

function sql(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

before(async () => {
  ensureYara();
  dir = mkdtempSync(join(tmpdir(), 'quarry-yara-access-'));
  chmodSync(dir, 0o755);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  // The table fetches synchronously, so the server must run on another thread.
  server = new Worker(
    `const { createServer } = require('node:https');
     const { parentPort, workerData } = require('node:worker_threads');
     const s = createServer({ key: workerData.key, cert: workerData.cert }, (req, res) => {
       if (req.url === '/rules/served.yar') { res.end(workerData.body); return; }
       res.statusCode = 404; res.end('no');
     });
     s.listen(0, '127.0.0.1', () => parentPort.postMessage(s.address().port));`,
    { eval: true, workerData: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')), body: rulesBody } },
  );
  port = await new Promise<number>((resolve) => server.once('message', resolve));
  const flags = new Flags();
  flags.set('yara_delay', 0, 'cli');
  flags.set('enable_yara_string', true, 'cli');
  const config = { yara: { signatures: {}, file_paths: {}, signature_urls: [`https://127.0.0.1:${port}/rules/.*\\.yar`] } };
  engine = await Engine.create({ tables: createYaraTables({ flags, config: () => config, sigurlCaFile: join(dir, 'cert.pem') }) });
  sleeper = spawn('sh', ['-c', `sleep 60; : ${marker}`], { stdio: 'ignore' });
});

after(async () => {
  sleeper?.kill();
  engine?.close();
  await server?.terminate();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('sigurl: an allow-listed HTTPS URL is fetched and compiled; others are refused; a 404 is reported', () => {
  const target = join(dir, 'target.txt');
  writeFileSync(target, 'xx served-content yy');
  const url = `https://127.0.0.1:${port}/rules/served.yar`;
  const rows = engine.query(`select matches, tags, strings, sigurl from yara where path = ${sql(target)} and sigurl = ${sql(url)}`).rows;
  const rulesFile = join(dir, 'served.yar');
  writeFileSync(rulesFile, rulesBody);
  const cli = runYara(['-g', '-s', rulesFile, target]).get(target)!;
  assert.deepEqual(rows, [{ matches: cli[0]!.rule, tags: cli[0]!.tags.join(','), strings: cli[0]!.strings.join(','), sigurl: url }]);
  assert.throws(
    () => engine.query(`select * from yara where path = ${sql(target)} and sigurl = ${sql(`https://127.0.0.1:${port}/other/served.yar`)}`),
    /is refused: it matches no entry of yara\.signature_urls/,
  );
  assert.throws(
    () => engine.query(`select * from yara where path = ${sql(target)} and sigurl = ${sql(`http://127.0.0.1:${port}/rules/served.yar`)}`),
    /must use https:\/\//,
  );
  assert.throws(
    () => engine.query(`select * from yara where path = ${sql(target)} and sigurl = ${sql(`https://127.0.0.1:${port}/rules/missing.yar`)}`),
    /Failed to get YARA rule url: .*HTTP status 404/,
  );
});

test('yara_process finds what `yara RULES PID` finds in a live process', () => {
  const rule = `rule proc_marker : memory { strings: $m = "${marker}" condition: $m }`;
  const rulesFile = join(dir, 'proc.yar');
  writeFileSync(rulesFile, rule);
  const pid = sleeper.pid!;
  const cliOut = spawnSync('yara', ['-g', rulesFile, String(pid)], { encoding: 'utf8' }).stdout.trim();
  assert.equal(cliOut, `proc_marker [memory] ${pid}`, 'the yara command sees the marker');
  const rows = engine.query(`select pid, matches, count, tags from yara_process where pid = ${pid} and sigfile = ${sql(rulesFile)}`).rows;
  assert.deepEqual(rows, [{ pid, matches: 'proc_marker', count: 1, tags: 'memory' }]);
  const none = engine.query(`select matches, count from yara_process where pid = ${pid} and sigrule = 'rule nothing_here { strings: $a = "no-such-${Date.now()}-x" condition: $a and false }'`).rows;
  assert.deepEqual(none, [{ matches: '', count: 0 }]);
  const warnings: string[] = [];
  assert.deepEqual(engine.query(`select * from yara_process where pid = 999999999 and sigfile = ${sql(rulesFile)}`, { onWarning: (m) => warnings.push(m) }).rows, []);
  assert.match(warnings[0]!, /pid 999999999: no such process/);
});

test('as an unprivileged user: an unreadable file is reported, yara_process asks for root', () => {
  const secret = join(dir, 'secret.txt');
  writeFileSync(secret, 'secret');
  chmodSync(secret, 0o600);
  const rule = 'rule anything { condition: true }';
  const child = spawnSync(
    'runuser',
    ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', new URL('./query-as-user.ts', import.meta.url).pathname,
      `select * from yara where path = ${sql(secret)} and sigrule = ${sql(rule)}`,
      `select * from yara_process where pid = 1 and sigrule = ${sql(rule)}`],
    { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname, env: { ...process.env, HOME: '/tmp' } },
  );
  const lines = child.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { rows?: unknown[]; warnings?: string[]; error?: string });
  assert.equal(lines.length, 2, child.stderr);
  assert.deepEqual(lines[0]!.rows, []);
  assert.match(lines[0]!.warnings![0]!, /secret\.txt: YARA could not scan it: could not open the file/);
  assert.match(lines[1]!.error!, /yara_process reads other processes' memory .* needs root/);
});
