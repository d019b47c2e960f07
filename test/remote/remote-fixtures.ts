/**
 * Fixtures of the remote-table tests: Debian's prometheus-node-exporter started on 127.0.0.1 with a free port, and
 * node:http servers on a worker thread (the tables block their thread while they fetch, so a server on the test's
 * own thread could never answer).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Worker } from 'node:worker_threads';

export function sql(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A port nothing listens on right now (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Installs Debian's prometheus-node-exporter when missing (apt-get update first when the install fails). */
export function ensureNodeExporter(): string {
  const found = spawnSync('sh', ['-c', 'command -v prometheus-node-exporter'], { encoding: 'utf8' });
  if (found.status === 0) return found.stdout.trim();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus-node-exporter'], { env, stdio: 'ignore' });
  if (install().status !== 0) {
    execFileSync('apt-get', ['update'], { env, stdio: 'ignore' });
    if (install().status !== 0) throw new Error('apt-get install prometheus-node-exporter failed');
  }
  // The package enables its systemd unit; these tests run their own instance and never use systemd.
  return execFileSync('sh', ['-c', 'command -v prometheus-node-exporter'], { encoding: 'utf8' }).trim();
}

export interface RunningExporter {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the exporter on 127.0.0.1:<free port> and waits until /metrics answers. */
export async function startNodeExporter(binary: string): Promise<RunningExporter> {
  const port = await freePort();
  const child = spawn(binary, [`--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}/metrics`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus-node-exporter exited (${child.exitCode}): ${stderr}`);
    try {
      const response = await fetch(url);
      if (response.ok) {
        await response.text();
        return { url, child, stop };
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus-node-exporter did not answer on ${url} within 10 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * An HTTP server on a worker thread. Routes: /ok (200, "hello"), /status/<n> (that status, body "status <n>"),
 * /agent (echoes the User-Agent), /big/<n> (n bytes of 'x'), /slow (never answers), /metrics-mixed (an exposition
 * text with good and malformed lines, workerData.mixed).
 */
export async function startTestServer(mixed: string): Promise<{ base: string; worker: Worker }> {
  const worker = new Worker(
    `const { createServer } = require('node:http');
     const { parentPort, workerData } = require('node:worker_threads');
     const server = createServer((req, res) => {
       const url = req.url;
       if (url === '/ok') return res.end('hello');
       if (url === '/agent') return res.end(String(req.headers['user-agent']));
       if (url === '/slow') return; // never answers
       if (url === '/metrics-mixed') { res.setHeader('content-type', 'text/plain; version=0.0.4'); return res.end(workerData.mixed); }
       let m = /^\\/status\\/(\\d+)$/.exec(url);
       if (m) { res.statusCode = Number(m[1]); return res.end('status ' + m[1]); }
       m = /^\\/big\\/(\\d+)$/.exec(url);
       if (m) return res.end('x'.repeat(Number(m[1])));
       res.statusCode = 404; res.end('not found');
     });
     server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));`,
    { eval: true, workerData: { mixed } },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { base: `http://127.0.0.1:${port}`, worker };
}
