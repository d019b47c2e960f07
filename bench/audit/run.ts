// Exec storm: N execs of `/bin/true quarrybench <i>` from two shell loops at once (as fast as two cores allow),
// recorded by Quarry (events runtime + audit publisher + process_events rows in LMDB) and then by Debian's auditd
// (+ ausearch --raw), one after the other under the same kernel settings (one execve/execveat exit rule, osquery's
// default backlog_limit 4096, backlog_wait_time 0). Prints completeness (storm execs seen / N), the kernel's lost
// count during each run, CPU seconds of each collector and their ratio, sustained events per second and peak RSS.
// Usage: node --import tsx bench/audit/run.ts [N=10000]
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureAuditTools, putBackKernelAuditState, readKernelAuditState, auditctlStatus } from '../../test/node-audit/audit-state.js';

const N = Number(process.argv[2] ?? 10000);
const BACKLOG = '4096';
const root = fileURLToPath(new URL('../..', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Two loops (even and odd numbers) in parallel; resolves with the wall-clock seconds the storm took. */
async function storm(): Promise<number> {
  const started = Date.now();
  const loops = [0, 1].map((start) => spawn('sh', ['-c', `i=${start}; while [ $i -lt ${N} ]; do /bin/true quarrybench $i; i=$((i+2)); done`], { stdio: 'ignore' }));
  const codes = await Promise.all(loops.map((c) => new Promise<number | null>((resolve) => c.on('exit', resolve))));
  if (codes.some((c) => c !== 0)) throw new Error(`the exec storm failed: ${codes.join(', ')}`);
  return (Date.now() - started) / 1000;
}

const kernelLost = (): number => Number(auditctlStatus().get('lost'));

/** Polls until value() stops growing for idleMs (or reaches target). */
async function settle(value: () => Promise<number> | number, target: number, idleMs = 2000, maxMs = 120_000): Promise<number> {
  const deadline = Date.now() + maxMs;
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const v = await value();
    if (v >= target) return v;
    if (v !== last) {
      last = v;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > idleMs || Date.now() > deadline) return v;
    await sleep(250);
  }
}

interface Report { storm: number; stored: number; spanSeconds: number; cpuSeconds: number; maxRssKiB: number; counters: Record<string, unknown> }

async function runQuarry(): Promise<{ seen: number; stored: number; cpu: number; rssMiB: number; seconds: number; lost: number; eventsPerSecond: number; counters: Record<string, unknown> }> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./quarry-listener.ts', import.meta.url))], { cwd: root });
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const ready = await Promise.race([next(), new Promise<string>((resolve) => child.on('exit', () => resolve(`exited: ${stderr}`)))]);
  if (ready !== 'READY') throw new Error(`quarry listener did not start: ${ready}`);
  const ask = async (): Promise<Report> => {
    child.stdin.write('report\n');
    return JSON.parse(await next()) as Report;
  };
  const base = await ask();
  const lostBefore = kernelLost();
  const seconds = await storm();
  await settle(async () => (await ask()).storm, N);
  const end = await ask();
  const lost = kernelLost() - lostBefore;
  child.stdin.write('stop\n');
  await new Promise((resolve) => child.on('exit', resolve));
  return {
    seen: end.storm, stored: end.stored, cpu: end.cpuSeconds - base.cpuSeconds, rssMiB: end.maxRssKiB / 1024, seconds, lost,
    eventsPerSecond: end.storm / Math.max(end.spanSeconds, 0.001), counters: end.counters,
  };
}

function procCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

function procPeakRssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

async function runAuditd(): Promise<{ seen: number; cpu: number; ausearchCpu: number; rssMiB: number; seconds: number; lost: number; eventsPerSecond: number }> {
  execFileSync('auditctl', ['-b', BACKLOG, '--backlog_wait_time', '0', '-e', '1']);
  execFileSync('auditctl', ['-a', 'always,exit', '-F', 'arch=b64', '-S', 'execve,execveat']);
  const auditd = spawn('auditd', ['-n', '-s', 'nochange'], { stdio: 'ignore' });
  try {
    const since = new Date(Date.now() - 1000);
    await settle(() => (auditctlStatus().get('pid') === String(auditd.pid) ? 1 : 0), 1, 5000, 5000);
    const base = procCpuSeconds(auditd.pid!);
    const lostBefore = kernelLost();
    const seconds = await storm();
    const two = (n: number): string => String(n).padStart(2, '0');
    // ausearch's C-locale date is mm/dd/yy (a four-digit year is refused).
    const start = [`${two(since.getMonth() + 1)}/${two(since.getDate())}/${two(since.getFullYear() % 100)}`, `${two(since.getHours())}:${two(since.getMinutes())}:${two(since.getSeconds())}`];
    let ausearchCpu = 0;
    const count = (): number => {
      // bash's `times` prints the CPU time of its children (ausearch) on its second line.
      const r = spawnSync('bash', ['-c', 'ausearch --raw -m EXECVE --start "$1" "$2"; times >&2', '_', ...start], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, LC_ALL: 'C' } });
      const childTimes = r.stderr.trim().split('\n').pop()?.match(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/);
      if (childTimes) ausearchCpu = Number(childTimes[1]) * 60 + Number(childTimes[2]) + Number(childTimes[3]) * 60 + Number(childTimes[4]);
      const ids = new Set<string>();
      firstSec = Infinity;
      lastSec = 0;
      for (const line of r.stdout.split('\n')) {
        const m = /audit\((\d+\.\d+):\d+\).*a1="quarrybench" a2="(\d+)"/.exec(line);
        if (!m) continue;
        ids.add(m[2]!);
        firstSec = Math.min(firstSec, Number(m[1]));
        lastSec = Math.max(lastSec, Number(m[1]));
      }
      return ids.size;
    };
    let firstSec = Infinity;
    let lastSec = 0;
    const seen = await settle(count, N, 2000);
    const lost = kernelLost() - lostBefore;
    // auditd writes as the kernel hands records over; its rate is the storm's rate between the first and last record.
    return { seen, cpu: procCpuSeconds(auditd.pid!) - base, ausearchCpu, rssMiB: procPeakRssMiB(auditd.pid!), seconds, lost, eventsPerSecond: seen / Math.max(lastSec - firstSec, 0.001) };
  } finally {
    auditd.kill('SIGTERM');
    await new Promise((resolve) => auditd.on('exit', resolve));
    spawnSync('auditctl', ['-d', 'always,exit', '-F', 'arch=b64', '-S', 'execve,execveat'], { stdio: 'ignore' });
  }
}

ensureAuditTools();
const initial = readKernelAuditState();
if (initial.status.get('pid') !== '0') throw new Error('another audit daemon holds the audit pid; stop it first');
try {
  const quarry = await runQuarry();
  await putBackKernelAuditState(initial);
  const auditd = await runAuditd();
  const pct = (n: number): string => `${((100 * n) / N).toFixed(2)}%`;
  console.log(`exec storm: ${N} execs of /bin/true from 2 parallel loops (${quarry.seconds.toFixed(1)} s under Quarry, ${auditd.seconds.toFixed(1)} s under auditd), backlog_limit ${BACKLOG}`);
  console.log(`Quarry  (runtime + publisher + process_events rows in LMDB): complete ${quarry.seen}/${N} (${pct(quarry.seen)}), ${quarry.stored} rows stored, kernel lost ${quarry.lost}, CPU ${quarry.cpu.toFixed(2)} s, ${quarry.eventsPerSecond.toFixed(0)} events/s sustained, peak RSS ${quarry.rssMiB.toFixed(1)} MiB`);
  console.log(`auditd  (writes audit.log):                                  complete ${auditd.seen}/${N} (${pct(auditd.seen)}) by ausearch --raw, kernel lost ${auditd.lost}, CPU ${auditd.cpu.toFixed(2)} s, ${auditd.eventsPerSecond.toFixed(0)} events/s sustained, peak RSS ${auditd.rssMiB.toFixed(1)} MiB; last ausearch pass ${auditd.ausearchCpu.toFixed(2)} s CPU`);
  console.log(`CPU ratio Quarry/auditd: ${(quarry.cpu / Math.max(auditd.cpu, 0.01)).toFixed(2)}x (target ≤ 3x; Quarry/(auditd+one ausearch): ${(quarry.cpu / Math.max(auditd.cpu + auditd.ausearchCpu, 0.01)).toFixed(2)}x)`);
  console.log(`Quarry publisher counters: ${JSON.stringify(quarry.counters)}`);
} finally {
  await putBackKernelAuditState(initial);
}
