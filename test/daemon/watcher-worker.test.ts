/**
 * quarryd's watcher/worker pair against the real binary: the watcher restarts a worker killed with SIGKILL, one that
 * crashes in native code (SIGSEGV raised through koffi) and one over its --watchdog_memory_limit, with osquery's
 * log lines; the pidfile, the HTTP port and token and the buffered rows survive the restart; SIGTERM to the watcher
 * stops the worker and exits 0; --disable_watchdog runs one process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../remote/remote-fixtures.js';
import { QuarrydProcess, waitFor } from './quarryd-process.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A quarryd with its own extension socket and a fixed HTTP port (a restarted worker must bind the same one). */
async function watchedDaemon(port: number, flags: string[] = [], env: Record<string, string> = {}): Promise<QuarrydProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'quarryd-watcher-'));
  const d = new QuarrydProcess({ dir, flags: [`--http_port=${port}`, `--extensions_socket=${join(dir, 'osquery.em')}`, ...flags] });
  d.writeConfig({ file_paths: { watched: [`${d.watchDir}/%%`] } });
  for (const [name, value] of Object.entries(env)) process.env[name] = value;
  try {
    await d.start();
  } finally {
    for (const name of Object.keys(env)) delete process.env[name];
  }
  return d;
}

async function agentInfo(d: QuarrydProcess): Promise<{ pid: number; watcher: number }> {
  const r = await d.query('select pid, watcher from osquery_info');
  assert.equal(r.status, 200, r.text);
  return r.json.rows[0];
}

const endpoints = (d: QuarrydProcess) => [...d.stderr.matchAll(/HTTP endpoint (\S+)/g)].map((m) => m[1]);

async function nextWorker(d: QuarrydProcess, seen: number): Promise<void> {
  await waitFor(`worker #${seen + 1} serving HTTP`, () => endpoints(d).length > seen, 60_000);
}

/** Waits until a worker other than `old` answers queries; returns its osquery_info. */
async function replacement(d: QuarrydProcess, old: number): Promise<{ pid: number; watcher: number }> {
  return waitFor(`a worker replacing ${old}`, async () => {
    try {
      const info = await agentInfo(d);
      return info.pid !== old && info;
    } catch {
      return false; // between workers
    }
  }, 60_000);
}

test('a worker killed with SIGKILL is restarted: same pidfile, port and token, buffered rows there once; SIGTERM exits 0', async () => {
  const port = await freePort();
  const d = await watchedDaemon(port);
  try {
    const watcherPid = d.child!.pid!;
    const first = await agentInfo(d);
    assert.notEqual(first.pid, watcherPid, 'queries are answered by a worker process');
    assert.equal(first.watcher, watcherPid, 'osquery_info.watcher names the watcher');
    assert.equal(readFileSync(d.pidfile, 'utf8').trim(), String(watcherPid), 'the pidfile holds the watcher');

    const paths = [1, 2, 3].map((n) => join(d.watchDir, `before-kill-${n}.txt`));
    for (const path of paths) writeFileSync(path, 'x');
    const peek = async () => (await d.request('GET', '/v1/events/file_events?peek=true')).json.rows.filter((row: { target_path: string }) => paths.includes(row.target_path));
    const before = await waitFor('rows stored', async () => {
      const rows = await peek();
      return new Set(rows.map((row: { target_path: string }) => row.target_path)).size === paths.length && rows;
    }, 15_000);
    // Every event stored so far, then the worker dies without any chance to clean up.
    await new Promise((r) => setTimeout(r, 500));
    const stored = (await peek()).map((row: { eid: string }) => row.eid).sort();
    assert.ok(stored.length >= before.length);

    process.kill(first.pid, 'SIGKILL');
    await nextWorker(d, 1);
    assert.equal(endpoints(d)[1], `http://127.0.0.1:${port}`, 'the new worker serves the same port');
    assert.equal(readFileSync(d.tokenFile, 'utf8').trim(), d.token, 'and the same bearer token');
    const second = await agentInfo(d);
    assert.notEqual(second.pid, first.pid);
    assert.equal(second.watcher, watcherPid);
    assert.match(d.stderr, new RegExp(`watcher\\] quarryd worker \\(${first.pid}\\) killed by SIGKILL`));
    const after = (await peek()).map((row: { eid: string }) => row.eid).sort();
    assert.deepEqual(after, stored, 'the rows committed before the kill are there, once each');
    assert.equal(readFileSync(d.pidfile, 'utf8').trim(), String(watcherPid));

    const { code } = await d.stop();
    assert.equal(code, 0);
    await waitFor('worker gone', () => !alive(second.pid), 5000);
    assert.throws(() => readFileSync(d.pidfile), /ENOENT/, 'the watcher removes its pidfile');
  } finally {
    d.cleanup();
  }
});

test('a worker that crashes in a native call (SIGSEGV) is restarted', async () => {
  const d = await watchedDaemon(await freePort(), [], { QUARRY_WORKER_TEST_FAULT: 'segv@1' });
  try {
    await waitFor('the crash', () => /quarryd worker \(\d+\) killed by SIGSEGV/.test(d.stderr), 30_000);
    const crashed = Number(/quarryd worker \((\d+)\) killed by SIGSEGV/.exec(d.stderr)![1]);
    const info = await replacement(d, crashed);
    assert.equal(info.watcher, d.child!.pid);
    assert.equal((await d.stop()).code, 0);
  } finally {
    d.cleanup();
  }
});

test('a worker over --watchdog_memory_limit is stopped with osquery\'s message and restarted', async () => {
  const d = await watchedDaemon(await freePort(), ['--watchdog_memory_limit=100', '--watchdog_delay=0'], { QUARRY_WORKER_TEST_FAULT: 'memory@2' });
  try {
    await waitFor('the memory stop', () => /quarryd worker \(\d+\) stopping: Memory limits exceeded: \d+ bytes \(limit is 100MB\)/.test(d.stderr), 60_000);
    const stopped = Number(/quarryd worker \((\d+)\) stopping: Memory/.exec(d.stderr)![1]);
    await replacement(d, stopped);
    assert.equal((await d.stop()).code, 0);
  } finally {
    d.cleanup();
  }
});

test('--disable_watchdog runs one process: osquery_info.watcher is -1', async () => {
  const d = await watchedDaemon(await freePort(), ['--disable_watchdog']);
  try {
    const info = await agentInfo(d);
    assert.equal(info.pid, d.child!.pid);
    assert.equal(info.watcher, -1);
    assert.equal((await d.stop()).code, 0);
  } finally {
    d.cleanup();
  }
});
