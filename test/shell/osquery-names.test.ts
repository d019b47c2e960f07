/**
 * Quarry installed under osquery's names (bin/osqueryi.js, bin/osqueryd.js): the prompt, --version, --help, the
 * reported version, the default pidfile and log directory, glog files and results log; under Quarry's names nothing
 * changes. And osquery's config edge cases through the real binaries: /dev/null and empty configs, a directory as
 * --config_path, --config_check's exit 78 for a missing config plugin, --config_dump with pack files,
 * --database_dump.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateHome, quarryiPath, repoRoot } from './quarryi.js';
import { tempDir } from '../temp-dir.js';

const osqueryiPath = join(repoRoot, 'bin', 'osqueryi.js');
const osquerydPath = join(repoRoot, 'bin', 'osqueryd.js');
const quarrydPath = join(repoRoot, 'bin', 'quarryd.js');
const home = privateHome();

function run(bin: string, args: string[], input = ''): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', cwd: repoRoot, env: { ...process.env, HOME: home }, timeout: 60_000 });
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

function drive(bin: string, steps: Array<{ send?: string; expect: string | null; timeout?: number }>): { transcript: string; failed_step: number | null } {
  const spec = { argv: [process.execPath, bin], env: { HOME: home, TERM: 'xterm' }, steps };
  const result = spawnSync('python3', [join(repoRoot, 'test/shell/pty-driver.py'), JSON.stringify(spec)], { encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return JSON.parse(result.stdout);
}

test('osqueryi prompts `osquery> ` under a pty; quarryi keeps `quarry> `', () => {
  const osquery = drive(osqueryiPath, [
    { expect: "Need help, type '\\.help'[\\s\\S]*\\nosquery> $" },
    { send: 'select 40 + 2 as answer;\r', expect: '\\| answer \\|[\\s\\S]*\\| 42     \\|[\\s\\S]*\\nosquery> $' },
    { send: 'select\r', expect: '    \\.\\.\\.> $' },
    { send: '1 as x;\r', expect: '\\| x \\|[\\s\\S]*osquery> $' },
    { send: '\x04', expect: null, timeout: 1 },
  ]);
  assert.equal(osquery.failed_step, null, osquery.transcript);
  assert.doesNotMatch(osquery.transcript, /quarry> /);
  const quarry = drive(quarryiPath, [{ expect: '\\nquarry> $' }, { send: '\x04', expect: null, timeout: 1 }]);
  assert.equal(quarry.failed_step, null, quarry.transcript);
});

test('--version and --help in osquery\'s shape under osquery\'s names; Quarry\'s own under Quarry\'s', () => {
  assert.equal(run(osqueryiPath, ['--version']).stdout, 'osqueryi version 5.23.0\n');
  assert.equal(run(osquerydPath, ['--version']).stdout, 'osqueryd version 5.23.0\n');
  assert.match(run(quarryiPath, ['--version']).stdout, /^quarryi version \d+\.\d+\.\d+\n$/);
  assert.doesNotMatch(run(quarryiPath, ['--version']).stdout, /5\.23\.0/);
  const help = run(osquerydPath, ['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^osquery 5\.23\.0, your OS as a high-performance relational database\nUsage: osqueryd \[OPTION\]\.\.\.\n/);
  assert.match(help.stdout, /osquery project page <https:\/\/osquery\.io>\.\n$/);
  assert.match(run(quarryiPath, ['--help']).stdout, /^quarry \S+, your OS as a high-performance relational database \(osquery-compatible\)\nUsage: quarryi/);
});

test('osquery_info.version and the pidfile/logger_path defaults follow the name', () => {
  const sql = "select (select version from osquery_info) as version, (select default_value from osquery_flags where name = 'pidfile') as pidfile, (select default_value from osquery_flags where name = 'logger_path') as logs";
  const osquery = run(osqueryiPath, ['--json', sql]);
  assert.equal(osquery.status, 0, osquery.stderr);
  assert.deepEqual(JSON.parse(osquery.stdout), [{ version: '5.23.0', pidfile: '/var/run/osqueryd.pidfile', logs: '/var/log/osquery/' }]);
  const quarry = JSON.parse(run(quarryiPath, ['--json', sql]).stdout)[0];
  assert.notEqual(quarry.version, '5.23.0');
  assert.equal(quarry.pidfile, '/var/run/quarryd.pidfile');
  assert.equal(quarry.logs, '/var/log/quarry/');
});

test('config edge cases: /dev/null and an empty file are empty configs; a directory is a warning and the shell goes on', () => {
  const dir = tempDir('quarry-edge-');
  const empty = join(dir, 'empty.conf');
  writeFileSync(empty, '\n  \n');
  for (const path of ['/dev/null', empty]) {
    for (const bin of [osqueryiPath, quarryiPath]) {
      const result = run(bin, [`--config_path=${path}`, '--json', 'select 1 as one']);
      assert.equal(result.status, 0, `${bin} ${path}: ${result.stderr}`);
      assert.deepEqual(JSON.parse(result.stdout), [{ one: '1' }]);
      assert.equal(result.stderr, '');
    }
    assert.equal(run(osquerydPath, [`--config_path=${path}`, '--config_check']).status, 0);
  }
  const directory = run(osqueryiPath, [`--config_path=${dir}`, '--json', 'select 1 as one']);
  assert.equal(directory.status, 0, directory.stderr);
  assert.deepEqual(JSON.parse(directory.stdout), [{ one: '1' }]);
  assert.match(directory.stderr, /^W\d{4} [\d:.]+ +\d+ osqueryi\] Error reading config: .*\(it is a directory\)/m);
});

test('--config_check with a config plugin that does not exist exits 78 (EX_CONFIG), under both names', () => {
  for (const bin of [osqueryiPath, osquerydPath, quarryiPath, quarrydPath]) {
    const result = run(bin, ['--config_plugin=nosuch', '--config_check']);
    assert.equal(result.status, 78, `${bin}: ${result.stderr}`);
    assert.match(result.stderr, /Error reading config: Config plugin "nosuch" not found/);
  }
});

test('--config_dump prints {"<path>": <content>} for the config and each pack file', () => {
  const dir = tempDir('quarry-dump-');
  mkdirSync(join(dir, 'packs'));
  const pack = join(dir, 'packs', 'base.conf');
  writeFileSync(pack, '{"queries": {"up": {"query": "select * from uptime", "interval": 60}}}');
  const config = join(dir, 'osquery.conf');
  writeFileSync(config, `{"packs": {"base": "${pack}"}, "schedule": {}}`);
  for (const bin of [osquerydPath, quarryiPath]) {
    const result = run(bin, [`--config_path=${config}`, '--config_dump']);
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(lines, [
      { [config]: { packs: { base: pack }, schedule: {} } },
      { [pack]: { queries: { up: { query: 'select * from uptime', interval: 60 } } } },
    ]);
  }
});

test('osqueryd writes osqueryd.INFO glog files and symlinks, osqueryd.results.log; --database_dump prints the database', async () => {
  const dir = tempDir('osqueryd-names-');
  const config = join(dir, 'osquery.conf');
  writeFileSync(config, JSON.stringify({ schedule: { up: { query: 'select 1 as one', interval: 1 } } }));
  const flags = [`--config_path=${config}`, `--database_path=${join(dir, 'db')}`, `--logger_path=${join(dir, 'log')}`, `--pidfile=${join(dir, 'pid')}`,
    `--http_token_file=${join(dir, 'token')}`, '--http_port=0', '--disable_audit', '--worker_threads=1', `--extensions_socket=${join(dir, 'osquery.em')}`];
  const child = spawn(process.execPath, [osquerydPath, ...flags], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 40_000;
    const results = join(dir, 'log', 'osqueryd.results.log');
    const ready = () => /osqueryd 5\.23\.0 started/.test(stderr) && existsSync(results) && readFileSync(results, 'utf8').includes('"name":"up"');
    while (!ready() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.ok(existsSync(join(dir, 'log', 'osqueryd.results.log')), stderr);
    assert.match(stderr, /osqueryd 5\.23\.0 started/);
    const names = readdirSync(join(dir, 'log'));
    for (const severity of ['INFO', 'WARNING']) {
      const link = join(dir, 'log', `osqueryd.${severity}`);
      if (!existsSync(link)) continue;
      assert.ok(lstatSync(link).isSymbolicLink());
      assert.match(readlinkSync(link), new RegExp(`^osqueryd\\.${severity}\\.\\d{8}-\\d{6}\\.\\d+$`));
    }
    assert.ok(names.some((name) => /^osqueryd\.INFO\.\d{8}-\d{6}\.\d+$/.test(name)), names.join(' '));
    assert.ok(names.includes('osqueryd.INFO'));
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, stderr);
  const dump = run(osquerydPath, [...flags, '--database_dump']);
  assert.equal(dump.status, 0, dump.stderr);
  assert.match(dump.stdout, /^queries\[up\]: /m, 'the scheduled query\'s last results are stored under its name');
  for (const line of dump.stdout.trim().split('\n')) assert.match(line, /^[a-z_]+\[[^\]]*\]: /);
  const missing = run(osquerydPath, [`--database_path=${join(dir, 'nothing-here')}`, '--database_dump']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /There is no database at .*nothing-here; check --database_path/);
});
