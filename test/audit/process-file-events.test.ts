// process_file_events on the real kernel, through the whole stack: config file_paths → the audit publisher's
// path-filtered rules (checked with auditctl -l) → kernel records → facts and pattern matching → subscriber → LMDB →
// SQL. A python child whose pid we know creates, writes, truncates, renames, links, symlinks and unlinks files in a
// monitored temp dir, in a subdirectory made after start, outside the patterns and under exclude_paths. The kernel's
// audit state is put back after, even on failure.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { formatRule, watchRule } from 'node-audit';
import { ProcessFileEventsSubscriber } from '@quarry/subscribers/process-file-events/index';
import type { Row } from '@quarry/sql';
import { assertAuditPidFree, assertKernelAuditStateRestored, auditctlRules, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, type KernelAuditState } from '../node-audit/audit-state.js';
import { tempDir } from '../temp-dir.js';
import { eventually, openAuditLab, type AuditLab } from './helpers.js';

let initial: KernelAuditState;
let lab: AuditLab | undefined;
let root: string;
let python: string;

const LAB_FLAGS = ['--disable_events=false', '--disable_audit=false', '--audit_allow_config=true', '--audit_allow_fim_events=true',
  '--audit_listen=unicast'];

function fimConfig(patterns: string[]): Record<string, unknown> {
  return { file_paths: { fim: patterns }, exclude_paths: { fim: [`${root}/mon/excluded/%%`] } };
}

async function openLab(extraFlags: string[], patterns: string[]): Promise<AuditLab> {
  const opened = await openAuditLab([...LAB_FLAGS, ...extraFlags], { moreSubscribers: (flags) => [new ProcessFileEventsSubscriber({ flags })] });
  lab = opened;
  // The lab starts with an empty config; applying one is what a config load or reload does.
  await opened.runtime.configure(fimConfig(patterns));
  for (const row of opened.runtime.status()) {
    if (row.name === 'auditeventpublisher' || row.name === 'process_file_events') assert.equal(row.active, 1, `${row.name}: ${row.status}`);
  }
  return opened;
}

async function closeLab(): Promise<void> {
  const open = lab;
  lab = undefined;
  await open?.close();
}

before(() => {
  ensureAuditTools();
  initial = readKernelAuditState();
  assertAuditPidFree(initial);
  root = realpathSync(tempDir('quarry-pfe-'));
  for (const dir of ['mon/excluded', 'outside', 'single']) mkdirSync(join(root, dir), { recursive: true });
  const found = spawnSync('python3', ['-c', 'import os, sys; print(os.path.realpath(sys.executable))'], { encoding: 'utf8' });
  assert.equal(found.status, 0, found.stderr);
  python = found.stdout.trim();
});

after(async () => {
  try {
    await closeLab();
    const now = readKernelAuditState();
    assertKernelAuditStateRestored(initial, now, 'the publisher put the kernel back by itself');
  } finally {
    await putBackKernelAuditState(initial);
  }
});

interface Child {
  pid: number;
  ppid: number;
  exe: string;
  ids: Record<string, string>;
  /** Lets the child exit (it waits so that /proc/<pid>/fd stays readable while its events are handled). */
  finish(): Promise<void>;
}

/** Runs a python script in the real interpreter; it prints its identity as JSON, then waits for stdin to close. */
async function runPython(script: string, args: string[]): Promise<Child> {
  const tail = `
import json, os, sys
u = os.getresuid(); g = os.getresgid()
print(json.dumps({'pid': os.getpid(), 'ppid': os.getppid(), 'exe': os.path.realpath('/proc/self/exe'),
  'ids': {'uid': str(u[0]), 'euid': str(u[1]), 'suid': str(u[2]), 'gid': str(g[0]), 'egid': str(g[1]), 'sgid': str(g[2]),
          'fsuid': str(u[1]), 'fsgid': str(g[1]), 'auid': open('/proc/self/loginuid').read().strip()}}), flush=True)
sys.stdin.read()
`;
  const child = spawn(python, ['-c', `${script}\n${tail}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const line = await Promise.race([
    eventually(() => (out.includes('\n') ? out.split('\n')[0] : undefined), 'the python child to report', 10_000),
    exited.then((code) => {
      throw new Error(`python exited with ${code}: ${err}`);
    }),
  ]);
  const me = JSON.parse(line) as Omit<Child, 'finish'>;
  return {
    ...me,
    async finish() {
      child.stdin.end();
      const code = await exited;
      assert.equal(code, 0, err);
    },
  };
}

type Op = [operation: string, path: string, destPath: string];

function ops(rows: Row[]): Op[] {
  return rows.map((r): Op => [String(r['operation']), String(r['path']), String(r['dest_path'])]).sort((a, b) => a.join('\0').localeCompare(b.join('\0')));
}

function sorted(list: Op[]): Op[] {
  return [...list].sort((a, b) => a.join('\0').localeCompare(b.join('\0')));
}

const WRITE_SCRIPT = `
import os, sys
root = sys.argv[1]
mon = os.path.join(root, 'mon')
os.chdir(mon)
fd = os.open('created.txt', os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644); os.close(fd)
with open('created.txt', 'a') as f: f.write('x')
with open('trunc.txt', 'w') as f: f.write('y')
os.truncate(os.path.join(mon, 'trunc.txt'), 0)
with open('created.txt') as f: f.read()
os.rename('created.txt', 'renamed.txt')
os.link('renamed.txt', 'hard.txt')
os.symlink('renamed.txt', 'soft.lnk')
os.unlink('hard.txt')
os.makedirs('later/deeper')
with open('later/deeper/deep.txt', 'a'): pass
d = os.open('later', os.O_RDONLY)
fd = os.open('rel.txt', os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=d); os.close(fd)
with open(os.path.join(root, 'outside', 'out.txt'), 'a'): pass
with open(os.path.join(mon, 'excluded', 'ex.txt'), 'a'): pass
with open(os.path.join(root, 'single', 'watched.txt'), 'a'): pass
with open(os.path.join(root, 'single', 'other.txt'), 'a'): pass
`;

test('write-type operations in monitored paths become rows; reads, other dirs and exclude_paths do not; rules show in auditctl -l', async () => {
  const l = await openLab([], [`${root}/mon/%%`, `${root}/single/watched.txt`]);
  const expectedRules = [watchRule({ dir: `${root}/mon`, perm: 'w', key: 'quarry-fim' }), watchRule({ path: `${root}/single/watched.txt`, perm: 'w', key: 'quarry-fim' })];
  const listed = auditctlRules();
  for (const rule of expectedRules) assert.ok(listed.includes(formatRule(rule)), `auditctl -l shows ${formatRule(rule)}: ${JSON.stringify(listed)}`);
  assert.ok(listed.includes(`-w ${root}/mon -p w -k quarry-fim`), JSON.stringify(listed));
  assert.equal(listed.filter((r) => r.includes('quarry-fim')).length, 2, JSON.stringify(listed));
  const [status] = l.rows(`select status from osquery_events where name = 'auditeventpublisher'`);
  // `rule installed` is absent when the kernel already held the same exec rule (one a killed agent left): it is used
  // as found and left in place (audit-publisher.ts); this test is about the path rules.
  assert.match(String(status!['status']), /configured(, rule installed)?, 2 process_file_events rules/);

  const child = await runPython(WRITE_SCRIPT, [root]);
  const m = `${root}/mon`;
  const expected: Op[] = sorted([
    ['write', `${m}/created.txt`, ''],
    ['write', `${m}/created.txt`, ''],
    ['open+truncate', `${m}/trunc.txt`, ''],
    ['open+truncate', `${m}/trunc.txt`, ''],
    ['rename', `${m}/created.txt`, `${m}/renamed.txt`],
    ['link', `${m}/renamed.txt`, `${m}/hard.txt`],
    ['symlink', `${m}/renamed.txt`, `${m}/soft.lnk`],
    ['unlink', `${m}/hard.txt`, ''],
    ['write', `${m}/later/deeper/deep.txt`, ''],
    ['write', `${m}/later/rel.txt`, ''],
    ['write', `${root}/single/watched.txt`, ''],
  ]);
  const select = `select * from process_file_events where pid = ${child.pid}`;
  let rows: Row[] = [];
  try {
    rows = await eventually(() => {
      const r = l.rows(select);
      return r.some((x) => x['path'] === `${root}/single/watched.txt`) && r.length >= expected.length ? r : undefined;
    }, `the child's ${expected.length} process_file_events rows (have ${JSON.stringify(l.rows(select))})`);
    // Anything late (a row that must not come) has had the time the last expected one took.
    await new Promise((resolve) => setTimeout(resolve, 300));
    rows = l.rows(select);
  } finally {
    await child.finish();
  }
  assert.deepEqual(ops(rows), expected, `rows: ${JSON.stringify(rows)}`);
  for (const row of rows) {
    assert.equal(row['pid'], child.pid, JSON.stringify(row));
    assert.equal(row['ppid'], child.ppid, JSON.stringify(row));
    assert.equal(row['executable'], child.exe, JSON.stringify(row));
    assert.equal(row['cwd'], `${root}/mon`, JSON.stringify(row));
    assert.equal(row['partial'], 'false', JSON.stringify(row));
    for (const [name, value] of Object.entries(child.ids)) assert.equal(row[name], value, `${name} of ${JSON.stringify(row)}`);
    assert.ok(Math.abs(Number(row['time']) - Date.now() / 1000) < 60, JSON.stringify(row));
    assert.ok(Number(row['uptime']) > 0, JSON.stringify(row));
  }
  // Nothing from outside the patterns, under exclude_paths, or a sibling of the single watched file, from anyone.
  const stray = l.rows(`select * from process_file_events where path like '${root}/outside/%' or path like '${root}/mon/excluded/%' or path = '${root}/single/other.txt'`);
  assert.deepEqual(stray, [], JSON.stringify(stray));
  // The table's types are osquery's: ids and partial are TEXT.
  const types = l.rows(`select typeof(uid) as u, typeof(auid) as a, typeof(partial) as p, typeof(pid) as pid from process_file_events where pid = ${child.pid} limit 1`);
  assert.deepEqual(types, [{ u: 'text', a: 'text', p: 'text', pid: 'integer' }], JSON.stringify(types));
  assert.equal(l.publisher.counters().internalErrors, 0);
});

test('a config reload replaces the rules: a newly listed directory reports, the dropped one no longer has a rule', async () => {
  const l = lab!;
  await l.runtime.configure(fimConfig([`${root}/outside/%`]));
  const listed = auditctlRules();
  assert.ok(listed.includes(`-w ${root}/outside -p w -k quarry-fim`), JSON.stringify(listed));
  assert.equal(listed.filter((r) => r.includes('quarry-fim')).length, 1, JSON.stringify(listed));
  const child = await runPython(`
import os, sys
root = sys.argv[1]
with open(os.path.join(root, 'outside', 'now.txt'), 'a'): pass
with open(os.path.join(root, 'mon', 'not-any-more.txt'), 'a'): pass
`, [root]);
  let rows: Row[] = [];
  try {
    rows = await eventually(() => {
      const r = l.rows(`select * from process_file_events where pid = ${child.pid}`);
      return r.length > 0 ? r : undefined;
    }, 'the row for outside/now.txt');
    await new Promise((resolve) => setTimeout(resolve, 300));
    rows = l.rows(`select * from process_file_events where pid = ${child.pid}`);
  } finally {
    await child.finish();
  }
  assert.deepEqual(ops(rows), [['write', `${root}/outside/now.txt`, '']], JSON.stringify(rows));
  // The same directory without exclude_paths: the write the first test did not see under mon/excluded is reported.
  await l.runtime.configure({ file_paths: { fim: [`${root}/mon/%%`] } });
  const again = await runPython(`
import os, sys
with open(os.path.join(sys.argv[1], 'mon', 'excluded', 'ex.txt'), 'a'): pass
`, [root]);
  try {
    const seen = await eventually(() => {
      const r = l.rows(`select * from process_file_events where pid = ${again.pid}`);
      return r.length > 0 ? r : undefined;
    }, 'the row for mon/excluded/ex.txt without exclude_paths');
    assert.deepEqual(ops(seen), [['write', `${root}/mon/excluded/ex.txt`, '']], JSON.stringify(seen));
  } finally {
    await again.finish();
  }
  await closeLab();
  assert.deepEqual(auditctlRules(), initial.rules, 'no FIM rule is left after close');
});

test('--audit_fim_show_accesses adds read-only opens (and r to the rules)', async () => {
  const l = await openLab(['--audit_fim_show_accesses=true'], [`${root}/mon/%%`]);
  const listed = auditctlRules();
  assert.ok(listed.includes(`-w ${root}/mon -p rw -k quarry-fim`), JSON.stringify(listed));
  const child = await runPython(`
import os, sys
root = sys.argv[1]
with open(os.path.join(root, 'mon', 'renamed.txt')) as f: f.read()
with open(os.path.join(root, 'mon', 'excluded', 'ex.txt')) as f: f.read()
with open(os.path.join(root, 'outside', 'out.txt')) as f: f.read()
with open(os.path.join(root, 'mon', 'renamed.txt'), 'a') as f: f.write('z')
`, [root]);
  let rows: Row[] = [];
  try {
    rows = await eventually(() => {
      const r = l.rows(`select * from process_file_events where pid = ${child.pid}`);
      return r.length >= 2 ? r : undefined;
    }, 'the read and write rows of mon/renamed.txt');
    await new Promise((resolve) => setTimeout(resolve, 300));
    rows = l.rows(`select * from process_file_events where pid = ${child.pid}`);
  } finally {
    await child.finish();
  }
  assert.deepEqual(ops(rows), sorted([['read', `${root}/mon/renamed.txt`, ''], ['write', `${root}/mon/renamed.txt`, '']]), JSON.stringify(rows));
  await closeLab();
  const now = readKernelAuditState();
  assert.deepEqual(now.rules, initial.rules, 'no FIM rule is left after close');
  assertKernelAuditStateRestored(initial, now);
});

/** One syscall event in the kernel's text format: SYSCALL, CWD, PATH items, EOE (serial chosen by the caller). */
function kernelEvent(serial: number, syscall: string, paths: string[], options: { pid: number; key?: string; cwd: string }): Array<{ type: number; text: string }> {
  const head = `audit(${Math.floor(Date.now() / 1000)}.000:${serial}): `;
  const key = options.key === undefined ? '(null)' : `"${options.key}"`;
  return [
    { type: 1300, text: `${head}arch=c000003e ${syscall} items=${paths.length} ppid=1 pid=${options.pid} auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="fimtest" exe="/usr/bin/fimtest" key=${key}` },
    { type: 1307, text: `${head}cwd="${options.cwd}"` },
    ...paths.map((p, i) => ({ type: 1302, text: `${head}item=${i} ${p} inode=1 dev=fe:00 mode=0100644 ouid=0 ogid=0 rdev=00:00` })),
    { type: 1320, text: head },
  ];
}

test('partial rows: a name relative to a directory fd the process no longer has is kept only with --audit_show_partial_fim_events', async () => {
  const gonePid = 4_000_000_000; // above any pid_max: /proc/<pid>/fd cannot be read
  for (const show of [false, true]) {
    const l = await openLab([`--audit_show_partial_fim_events=${show}`], [`${root}/mon/%%`]);
    try {
      const serial = 900_000_000 + (show ? 10 : 0);
      const unlinkat = 'syscall=263 success=yes exit=0 a0=3 a1=7ff0 a2=0 a3=0';
      l.publisher.handleMessages([
        // Quarry's FIM rule matched: the object is under a monitored directory, but which one the name cannot say.
        ...kernelEvent(serial, unlinkat, ['name="/tmp" nametype=PARENT', 'name="gone.txt" nametype=DELETE'], { pid: gonePid, key: 'quarry-fim', cwd: '/' }),
        // Someone else's rule: a relative name is never taken as monitored.
        ...kernelEvent(serial + 1, unlinkat, ['name="/tmp" nametype=PARENT', 'name="other.txt" nametype=DELETE'], { pid: gonePid, cwd: '/' }),
        // cwd-relative (AT_FDCWD) names are absolute with the CWD record, and matched against the patterns.
        ...kernelEvent(serial + 2, 'syscall=263 success=yes exit=0 a0=ffffff9c a1=7ff0 a2=0 a3=0',
          [`name="${root}/mon" nametype=PARENT`, 'name="cwd-relative.txt" nametype=DELETE'], { pid: gonePid, key: 'quarry-fim', cwd: `${root}/mon` }),
      ]);
      const rows = await eventually(() => {
        const r = l.rows(`select operation, path, dest_path, partial, cwd, executable, auid from process_file_events where pid = ${gonePid}`);
        return r.length >= (show ? 2 : 1) ? r : undefined;
      }, 'the rows of the fed events');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const all = l.rows(`select operation, path, dest_path, partial, cwd, executable, auid from process_file_events where pid = ${gonePid}`);
      const expected = [
        { operation: 'unlink', path: `${root}/mon/cwd-relative.txt`, dest_path: '', partial: 'false', cwd: `${root}/mon`, executable: '/usr/bin/fimtest', auid: '4294967295' },
        ...(show ? [{ operation: 'unlink', path: 'gone.txt', dest_path: '', partial: 'true', cwd: '/', executable: '/usr/bin/fimtest', auid: '4294967295' }] : []),
      ];
      assert.deepEqual([...all].sort((a, b) => String(a['path']).localeCompare(String(b['path']))), expected.sort((a, b) => a.path.localeCompare(b.path)), JSON.stringify(rows));
    } finally {
      await closeLab();
    }
  }
  assert.deepEqual(auditctlRules(), initial.rules);
});

test('facts: dirfd-relative names resolve through /proc while the process has the fd; symlink targets are relative to the link', async () => {
  const { fimFacts } = await import('@quarry/publishers/audit/index');
  const { AuditRecordParser } = await import('node-audit');
  const parser = new AuditRecordParser();
  const { openSync, closeSync } = await import('node:fs');
  const fd = openSync(`${root}/mon`, 'r');
  try {
    const toCtx = (records: Array<{ type: number; text: string }>, name: string) => {
      const parsed = records.filter((r) => r.type !== 1320).map((r) => parser.parse(r.type, r.text)!);
      return {
        kind: 'syscall' as const,
        syscall: { number: 0, name, success: true, exit: '0' },
        records: parsed.map((r) => ({ type: r.type, typeName: r.typeName, fields: r.fields, text: r.text })),
        cwd: '/somewhere/else',
      };
    };
    const openat = kernelEvent(1, `syscall=257 success=yes exit=4 a0=${fd.toString(16)} a1=7ff0 a2=80241 a3=1b6`,
      [`name="${root}" nametype=PARENT`, 'name="via-fd.txt" nametype=CREATE'], { pid: process.pid, cwd: '/somewhere/else' });
    assert.deepEqual(fimFacts(toCtx(openat, 'openat')), { operation: 'open+truncate', path: `${root}/mon/via-fd.txt`, destPath: '', partial: false, access: false });
    const symlink = kernelEvent(2, 'syscall=88 success=yes exit=0 a0=1 a1=2 a2=0 a3=0',
      [`name="${root}/mon/d" nametype=PARENT`, 'name="../target.txt" nametype=UNKNOWN', `name="${root}/mon/d/link" nametype=CREATE`], { pid: process.pid, cwd: '/' });
    assert.deepEqual(fimFacts(toCtx(symlink, 'symlink')), { operation: 'symlink', path: `${root}/mon/target.txt`, destPath: `${root}/mon/d/link`, partial: false, access: false });
    const readOnly = kernelEvent(3, 'syscall=257 success=yes exit=4 a0=ffffff9c a1=7ff0 a2=80000 a3=0', ['name="./a/../b.txt" nametype=NORMAL'], { pid: process.pid, cwd: '/' });
    assert.deepEqual(fimFacts(toCtx(readOnly, 'openat')), { operation: 'read', path: '/somewhere/else/b.txt', destPath: '', partial: false, access: true });
    const mkdir = kernelEvent(4, 'syscall=83 success=yes exit=0 a0=1 a1=1ff a2=0 a3=0', ['name="/x" nametype=PARENT', 'name="d" nametype=CREATE'], { pid: process.pid, cwd: '/' });
    assert.equal(fimFacts(toCtx(mkdir, '83')), undefined, 'mkdir is no process_file_events operation');
  } finally {
    closeSync(fd);
  }
});

test('rule plan: nested targets collapse into the outer dir rule, a missing path and the rule limit are warnings naming them', async () => {
  const { planFimRules } = await import('@quarry/publishers/audit/index');
  const sub = (pattern: string) => ({ category: 'c', pattern, accesses: false, excludes: [] });
  const plan = planFimRules([sub(`${root}/mon/%%`), sub(`${root}/mon/excluded/%`), sub(`${root}/mon/renamed.txt`), sub(`${root}/outside/%`),
    sub(`${root}/single/watched.txt`), sub(`${root}/not-there/%%`)], false, 2);
  assert.deepEqual(plan.targets, [{ kind: 'dir', target: `${root}/mon` }, { kind: 'dir', target: `${root}/outside` }]);
  assert.equal(plan.rules.map((r) => formatRule(r)).join('\n'), `-w ${root}/mon -p w -k quarry-fim\n-w ${root}/outside -p w -k quarry-fim`);
  assert.ok(plan.warnings.some((w) => w.includes(`${root}/not-there`) && w.includes('does not exist')), JSON.stringify(plan.warnings));
  assert.ok(plan.warnings.some((w) => w.includes('at most 2 audit rules') && w.includes(`${root}/single/watched.txt`)), JSON.stringify(plan.warnings));
  assert.ok(plan.matcher.matches(`${root}/mon/x/y/z.txt`));
  assert.ok(plan.matcher.matches(`${root}/outside/a.txt`));
  assert.ok(!plan.matcher.matches(`${root}/outside/deeper/a.txt`), '% is one level');
  assert.ok(!plan.matcher.matches('relative.txt'));
});
