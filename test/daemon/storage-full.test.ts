// quarryd with its database on a small tmpfs that fills while file events flow: one clear warning (no raw
// "Write error" text), the rows that could not be stored counted in quarry_buffer_dropped_total{reason="disk_full"},
// one line with the count when appends work again, and every committed row delivered once afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QuarrydProcess, waitFor } from './quarryd-process.js';

/** Pids of processes holding a file under `path` (this test's quarryd and its worker, if a failure left them). */
function holders(path: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readdirSync(`/proc/${pid}/fd`).some((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(`${path}/`))) pids.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** Unmounts `path` after stopping what still holds files there, retrying briefly; lazily as the last resort. */
async function unmount(path: string): Promise<void> {
  for (const pid of holders(path)) if (pid !== process.pid) process.kill(pid, 'SIGKILL');
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      execFileSync('umount', [path], { stdio: 'pipe' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  execFileSync('umount', ['-l', path]);
}

const droppedOf = (metrics: string, reason: string) =>
  Number(new RegExp(`quarry_buffer_dropped_total\\{subscriber="file_events",reason="${reason}"\\} (\\d+)`).exec(metrics)?.[1] ?? NaN);

test('the database disk fills while events flow: counted, reported once, then every committed row once', async (t) => {
  const d = new QuarrydProcess();
  const mountPoint = join(d.dir, 'mnt');
  mkdirSync(mountPoint);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', mountPoint]);
  try {
    d.writeConfig({ file_paths: { watched: [`${d.watchDir}/%%`] } });
    await d.start([`--database_path=${join(mountPoint, 'db')}`]);
    try {
      const filler = join(mountPoint, 'filler');
      // leave ~200 KB free beside the database
      const free = () => Number(execFileSync('df', ['--output=avail', '-B1', mountPoint], { encoding: 'utf8' }).split('\n')[1]);
      writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 200 * 1024)));
      let written = 0;
      await waitFor('appends dropped for a full disk', async () => {
        for (let i = 0; i < 200; i++) writeFileSync(join(d.watchDir, `${'f'.repeat(150)}-${written++}`), 'x');
        const metrics = await d.request('GET', '/metrics');
        return droppedOf(metrics.text, 'disk_full') > 0;
      }, 60_000);
      assert.equal(droppedOf((await d.request('GET', '/metrics')).text, 'events_max'), 0);
      assert.match(d.stderr, /cannot store rows: the disk \(or the database map\) is full \((ENOSPC|MDB_MAP_FULL)\); new events are dropped and counted in quarry_buffer_dropped_total\{reason="disk_full"\}/);
      assert.doesNotMatch(d.stderr, /Write error/);
      assert.doesNotMatch(d.stderr, /could not store event rows/, 'no line per failed batch');

      unlinkSync(filler); // the fault is removed
      const after = Array.from({ length: 5 }, (_, i) => join(d.watchDir, `after-${i}`));
      for (const path of after) writeFileSync(path, 'after');
      await waitFor('rows stored again', async () => {
        const r = await d.request('GET', '/v1/events/file_events?peek=true');
        const seen = new Set(r.json.rows.map((row: { target_path: string }) => row.target_path));
        return after.every((path) => seen.has(path));
      }, 30_000);
      // each outage (a nearly full disk flaps: freed pages let some appends through) is one warning when it begins
      // and one line with its count when it ends; together they count every row /metrics counts
      const total = droppedOf((await d.request('GET', '/metrics')).text, 'disk_full');
      const warnings = d.stderr.match(/cannot store rows: the disk/g) ?? [];
      const recoveries = [...d.stderr.matchAll(/stores rows again; (\d+) rows were dropped while the disk/g)].map((m) => Number(m[1]));
      assert.ok(warnings.length >= 1 && warnings.length === recoveries.length, `a warning and a recovery line per outage:\n${d.stderr.slice(-3000)}`);
      assert.equal(recoveries.reduce((sum, n) => sum + n, 0), total, 'the recovery lines count every dropped row');
      const dropped = total;
      const drained = await d.request('GET', '/v1/events/file_events?consumer=after-outage');
      assert.equal(drained.status, 200);
      const eids = drained.json.rows.map((row: { eid: unknown }) => Number(row.eid));
      assert.deepEqual(eids, Array.from({ length: eids.length }, (_, i) => i + 1), 'every committed row once, eids without gaps');
      const again = await d.request('GET', '/v1/events/file_events?consumer=after-outage');
      assert.deepEqual(again.json.rows.filter((row: { eid: unknown }) => Number(row.eid) <= eids[eids.length - 1]), [], 'none twice');
      t.diagnostic(`${written} files written, ${eids.length} rows stored, ${dropped} dropped and counted while the disk was full`);
    } finally {
      await d.stop();
    }
  } finally {
    if (d.child && d.exitCode === undefined) d.child.kill('SIGKILL');
    await unmount(mountPoint);
    d.cleanup();
  }
});
