#!/usr/bin/env node
// Runs the benchmarks under bench/ one after another and prints their figures.
// Usage: node scripts/run-benches.mjs [area ...]   (areas: sql, fim, buffers, audit, http, daemon, yara, tables-host)
// Each bench compares Quarry with a peer measured in the same script and prints the ratio; none of them asserts.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const benches = {
  sql: ['bench/sql/oneshot.ts', 'bench/sql/vtab.ts', 'bench/sql/bridge-shapes.ts', 'bench/sql/statement-cache.ts', 'bench/sql/processes.ts', 'bench/sql/heap-limit.ts'],
  'tables-host': ['bench/tables-host/run.ts'],
  fim: ['bench/fim/burst.ts', 'bench/fim/drain.ts'],
  buffers: ['bench/buffers/drain-lease.ts'],
  audit: ['bench/audit/run.ts', 'bench/audit/process-file-events.ts'],
  http: ['bench/http/run.ts'],
  daemon: ['bench/daemon/log-rotation.ts', 'bench/daemon/syslog-logger.ts'],
  yara: ['bench/yara/run.ts'],
};
const wanted = process.argv.slice(2);
let failed = 0;
for (const [area, files] of Object.entries(benches)) {
  if (wanted.length > 0 && !wanted.includes(area)) continue;
  for (const file of files) {
    if (!existsSync(root + file)) continue;
    console.log(`\n=== ${file}`);
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file], { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) {
      failed += 1;
      console.log(`${file} exited with ${run.status ?? run.signal}`);
    }
  }
}
process.exit(failed === 0 ? 0 : 1);
