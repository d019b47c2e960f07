#!/usr/bin/env node
// Runs the benchmarks under bench/ one after another and prints their figures.
// Usage: node scripts/run-benches.mjs [--help] [area ...]   (no area: every area; --help lists them and their needs)
// Each bench compares Quarry with a peer measured in the same script and prints the ratio; none of them asserts.
// To add an area: one entry in AREAS (name, what it needs to run, its scripts in order).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;

/** One entry per area: `needs` is what the machine must offer (printed by --help), `scripts` run in order. */
const AREAS = [
  {
    name: 'sql',
    needs: 'nothing (built packages)',
    scripts: ['bench/sql/oneshot.ts', 'bench/sql/vtab.ts', 'bench/sql/bridge-shapes.ts', 'bench/sql/statement-cache.ts', 'bench/sql/processes.ts', 'bench/sql/heap-limit.ts'],
  },
  { name: 'tables-host', needs: 'find, md5sum/sha*sum, dpkg-query, sysctl (Debian base)', scripts: ['bench/tables-host/run.ts'] },
  { name: 'fim', needs: 'inotify; inotify-tools (installed through scripts/ensure-debian-packages.sh)', scripts: ['bench/fim/burst.ts', 'bench/fim/drain.ts'] },
  {
    name: 'buffers',
    needs: 'liblmdb0 (installed if missing; LMDB in a temp dir); the stress scripts start 5 processes for a few minutes',
    scripts: ['bench/buffers/drain-lease.ts', 'bench/buffers/stress-lmdb.ts', 'bench/buffers/stress-drains.ts'],
  },
  { name: 'audit', needs: 'root and kernel audit (CAP_AUDIT_CONTROL); auditd tools, installed if missing; restores the audit state', scripts: ['bench/audit/run.ts', 'bench/audit/process-file-events.ts'] },
  { name: 'http', needs: 'nothing (a real quarryd on loopback; autocannon)', scripts: ['bench/http/run.ts'] },
  {
    name: 'daemon',
    needs: 'rsyslog (installed if missing) for syslog-logger; a real quarryd on loopback for memory-attack (~2 GB RAM free)',
    scripts: ['bench/daemon/log-rotation.ts', 'bench/daemon/syslog-logger.ts', 'bench/daemon/memory-attack.ts'],
  },
  {
    name: 'extensions',
    needs: 'python3-thrift and thrift-compiler (installed if missing); a real quarryd on loopback',
    scripts: ['bench/extensions/run.ts'],
  },
  { name: 'yara', needs: 'the yara command and libyara (installed if missing); inotify', scripts: ['bench/yara/run.ts'] },
  {
    name: 'fleet',
    needs: 'openssl (installed if missing); a real quarryd on loopback and the test fleet server (HTTPS)',
    scripts: ['bench/fleet/tls-logger.ts', 'bench/fleet/distributed-latency.ts', 'bench/fleet/outage.ts'],
  },
];

function usage() {
  const width = Math.max(...AREAS.map((area) => area.name.length));
  return [
    'Usage: node scripts/run-benches.mjs [--help] [area ...]',
    'Runs the benchmarks of each area named (every area when none is), one script after another; build first (npm run build).',
    '',
    'Areas:',
    ...AREAS.map((area) => `  ${area.name.padEnd(width)}  needs: ${area.needs}\n  ${' '.repeat(width)}  runs:  ${area.scripts.join(', ')}`),
    '',
  ].join('\n');
}

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(usage());
  process.exit(0);
}
const unknown = args.filter((name) => !AREAS.some((area) => area.name === name));
if (unknown.length > 0) {
  process.stderr.write(`unknown bench area${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}\n\n${usage()}`);
  process.exit(2);
}

// The event buffers load the official LMDB (liblmdb0) at run time.
if (spawnSync('sh', [root + 'scripts/ensure-liblmdb.sh'], { stdio: 'inherit' }).status !== 0) process.exit(1);

let failed = 0;
for (const area of AREAS) {
  if (args.length > 0 && !args.includes(area.name)) continue;
  for (const file of area.scripts) {
    if (!existsSync(root + file)) {
      failed += 1;
      console.log(`${file} (area ${area.name}) is missing`);
      continue;
    }
    console.log(`\n=== ${file}`);
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file], { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) {
      failed += 1;
      console.log(`${file} exited with ${run.status ?? run.signal}`);
    }
  }
}
process.exit(failed === 0 ? 0 : 1);
