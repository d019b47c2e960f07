/**
 * Every publisher through the BUILT entry points — bin/quarryd.js, and bin/quarryi.js, which runs the shell's esbuild
 * bundle (scripts/bundle-shell.mjs: a worker script missing from it once kept quarryi from reading udev): file
 * (inotify → file_events), audit (→ process_events), udev (→ hardware_events), syslog (a real rsyslogd →
 * syslog_events) and yara (libyara → yara_events) each make at least one real event, which is read back:
 * - quarryd: through its HTTP API (GET /v1/events/<table>?peek=true);
 * - quarryi: a quarryi reading SQL on stdin with --disable_events=false publishes (a scripted session); a second
 *   quarryi, one-shot, consumes its database (--database_path), and the session's own last statement lists the
 *   publishers running.
 * osquery has no docker events table, so Quarry has none: Docker is queried by tables, never published.
 * The kernel's audit state is checked after each agent exits, and put back on every exit path (after()).
 * `npm test` builds bin/'s code first; run `npm run build` before running this file alone.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QuarrydProcess, waitFor } from '../daemon/quarryd-process.js';
import { Rsyslogd } from '../events/rsyslogd.js';
import {
  assertAuditPidFree, assertKernelAuditStateRestored, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, type KernelAuditState,
} from '../node-audit/audit-state.js';
import { privateHome, quarryi, quarryiPath, repoRoot } from '../shell/quarryi.js';
import { tempDir } from '../temp-dir.js';
import { RULES_TEXT, ensureYara } from '../yara/yara-fixtures.js';

type Row = Record<string, unknown>;

let initial: KernelAuditState;
let disk = '';

before(() => {
  ensureAuditTools();
  ensureYara();
  execFileSync('sh', [join(repoRoot, 'scripts/ensure-rsyslog.sh')], { stdio: 'inherit' });
  initial = readKernelAuditState();
  assertAuditPidFree(initial);
  // A disk that is not a loop device (those come and go with other tests): a `change` written to its uevent file is
  // a kernel uevent, a hardware_events row.
  const disks = readdirSync('/sys/block').filter((name) => !name.startsWith('loop') && !name.startsWith('ram'));
  disk = disks.find((name) => existsSync(`/sys/block/${name}/device`)) ?? disks[0] ?? '';
  assert.ok(disk, `a disk in /sys/block to send a change event to (found ${readdirSync('/sys/block').join(', ')})`);
});

after(async () => {
  await putBackKernelAuditState(initial);
  assertKernelAuditStateRestored(initial);
});

/** One agent's world: a watched directory (file_events, yara_events), YARA rules, the syslog FIFO, a tag. */
class PublisherWorld {
  readonly dir = tempDir('quarry-bin-publishers-');
  readonly watched = join(this.dir, 'watched');
  readonly pipe = join(this.dir, 'syslog', 'pipe');
  readonly tag: string;
  private round = 0;

  constructor(agent: string) {
    this.tag = `quarrybin${agent}${process.pid}`;
    mkdirSync(this.watched);
    writeFileSync(join(this.dir, 'rules.yar'), RULES_TEXT);
  }

  get config(): object {
    return {
      file_paths: { watched: [`${this.watched}/%%`] },
      yara: { signatures: { text: [join(this.dir, 'rules.yar')] }, file_paths: { watched: ['text'] } },
    };
  }

  /** Every publisher on (audit may configure the kernel: it puts it back on exit). */
  get flags(): string[] {
    return ['--disable_events=false', '--enable_file_events=true', '--disable_audit=false', '--audit_allow_config=true',
      '--enable_syslog=true', `--syslog_pipe_path=${this.pipe}`];
  }

  /** Makes one event for each publisher not yet seen. */
  trigger(rsyslogd: Rsyslogd, missing: ReadonlySet<string>): void {
    const token = `${this.tag}-${++this.round}`;
    if (missing.has('file_events') || missing.has('yara_events')) writeFileSync(join(this.watched, `${token}.txt`), `quarry-hello ${token}\n`);
    if (missing.has('process_events')) spawnSync('/bin/echo', [token], { stdio: 'ignore' });
    if (missing.has('hardware_events')) writeFileSync(`/sys/block/${disk}/uevent`, 'change');
    if (missing.has('syslog_events')) rsyslogd.log('user.notice', this.tag, token);
  }

  /** The rows of each event table that are this world's events. */
  ours(table: string, rows: Row[]): Row[] {
    const mine = (value: unknown) => String(value).includes(this.tag);
    switch (table) {
      case 'file_events': return rows.filter((r) => mine(r['target_path']) && r['action'] === 'CREATED');
      case 'yara_events': return rows.filter((r) => mine(r['target_path']) && String(r['matches']).includes('text_plain'));
      case 'process_events': return rows.filter((r) => String(r['cmdline']).startsWith(`/bin/echo ${this.tag}-`));
      case 'hardware_events': return rows.filter((r) => r['path'] === `/dev/${disk}` && r['action'] === 'change');
      case 'syslog_events': return rows.filter((r) => r['tag'] === this.tag && mine(r['message']));
      default: throw new Error(`no event table ${table}`);
    }
  }

  /**
   * Triggers events and reads every table (read(table) gives its rows) until each shows one of ours, else fails
   * naming what never came. rsyslogd starts once the agent made its FIFO.
   */
  async proveEveryPublisher(read: (table: string) => Promise<Row[]>, diagnostics: () => string): Promise<Map<string, Row>> {
    await waitFor('the syslog FIFO of the agent', () => existsSync(this.pipe), 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${diagnostics()}`);
    });
    const rsyslogd = new Rsyslogd(this.dir, this.pipe);
    await rsyslogd.start();
    const found = new Map<string, Row>();
    const tables = ['file_events', 'yara_events', 'process_events', 'hardware_events', 'syslog_events'];
    try {
      const deadline = Date.now() + 45_000;
      while (found.size < tables.length && Date.now() < deadline) {
        this.trigger(rsyslogd, new Set(tables.filter((t) => !found.has(t))));
        await new Promise((resolve) => setTimeout(resolve, 500));
        for (const table of tables.filter((t) => !found.has(t))) {
          const row = this.ours(table, await read(table))[0];
          if (row) found.set(table, row);
        }
      }
    } finally {
      await rsyslogd.stop();
    }
    const missing = tables.filter((t) => !found.has(t));
    assert.deepEqual(missing, [], `no event of ours came back from ${missing.join(', ')}\n${diagnostics()}`);
    return found;
  }
}

test('bin/quarryd.js: file, audit, udev, syslog and yara publishers each deliver a real event, read back over HTTP', async () => {
  const world = new PublisherWorld('d');
  const daemon = new QuarrydProcess({ config: world.config, flags: world.flags });
  try {
    await daemon.start();
    const found = await world.proveEveryPublisher(async (table) => {
      const response = await daemon.request('GET', `/v1/events/${table}?peek=true`);
      assert.equal(response.status, 200, `${table}: ${response.text}`);
      return response.json.rows as Row[];
    }, () => daemon.stderr.slice(-4000));
    assert.match(String(found.get('yara_events')!['matches']), /text_plain/);
    const publishers = (await daemon.query("select name, active from osquery_events where type = 'publisher'")).json.rows as Row[];
    for (const name of ['inotify', 'auditeventpublisher', 'udev', 'syslog']) {
      assert.deepEqual(publishers.find((r) => r['name'] === name), { name, active: 1 }, JSON.stringify(publishers));
    }
    assert.equal((await daemon.stop()).code, 0, daemon.stderr.slice(-4000));
    assertKernelAuditStateRestored(initial, readKernelAuditState(), 'quarryd put the kernel back when it stopped');
  } finally {
    daemon.cleanup();
    await putBackKernelAuditState(initial);
  }
});

test('bin/quarryi.js (the bundled shell), SQL piped with --disable_events=false: every publisher runs and its event is in the database', async () => {
  const world = new PublisherWorld('i');
  const database = join(world.dir, 'db');
  const home = privateHome();
  const configPath = join(world.dir, 'osquery.conf');
  writeFileSync(configPath, JSON.stringify(world.config));
  const session = spawn(process.execPath, [quarryiPath, '--json', `--config_path=${configPath}`, `--database_path=${database}`, ...world.flags], {
    cwd: repoRoot,
    env: { ...process.env, HOME: home },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  session.stdout.on('data', (chunk) => (stdout += chunk));
  session.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => session.on('exit', (code) => resolve(code)));
  try {
    // A second quarryi, one-shot, drains the session's database as its own consumer.
    await world.proveEveryPublisher(async (table) => {
      const run = quarryi([`--database_path=${database}`, '--consumer=bin-publishers', '--json', `select * from ${table}`], { env: { HOME: home } });
      assert.equal(run.status, 0, `${table}: ${run.stderr}`);
      return run.stdout.trim() === '' ? [] : (JSON.parse(run.stdout) as Row[]);
    }, () => `quarryi session stderr:\n${stderr.slice(-4000)}`);
    session.stdin.end("select name, active, status from osquery_events where type = 'publisher';\n");
    assert.equal(await exited, 0, stderr);
    const publishers = JSON.parse(stdout) as Row[];
    for (const name of ['inotify', 'auditeventpublisher', 'udev', 'syslog']) {
      const row = publishers.find((r) => r['name'] === name);
      assert.equal(row?.['active'], '1', `${name} runs in the piped session: ${JSON.stringify(row)}`);
      assert.doesNotMatch(String(row?.['status']), /events are disabled/);
    }
    assertKernelAuditStateRestored(initial, readKernelAuditState(), 'quarryi put the kernel back when it ended');
  } finally {
    if (session.exitCode === null && session.signalCode === null) {
      session.kill('SIGTERM');
      await exited;
    }
    await putBackKernelAuditState(initial);
  }
});
