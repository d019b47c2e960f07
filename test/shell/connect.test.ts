/**
 * `quarryi --connect URL --token_file PATH` runs the shell's queries on a real quarryd child process (HTTP on a
 * free loopback port, temporary database and logs), with the same output formats and exit codes as local runs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { quarryi, repoRoot } from './quarryi.js';
import { tempDir } from '../temp-dir.js';

const root = tempDir('quarryi-connect-');
const tokenFile = join(root, 'token');
let daemon: ChildProcess | undefined;
let url = '';

before(async () => {
  const config = join(root, 'osquery.conf');
  writeFileSync(config, '{}');
  daemon = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin', 'quarryd.js'),
      '--http_port=0',
      `--http_token_file=${tokenFile}`,
      `--database_path=${join(root, 'db')}`,
      `--logger_path=${join(root, 'log')}`,
      `--pidfile=${join(root, 'quarryd.pid')}`,
      `--config_path=${config}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`quarryd did not report its endpoint:\n${output}`)), 30_000);
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /HTTP endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    daemon?.stdout?.on('data', look);
    daemon?.stderr?.on('data', look);
    daemon?.once('exit', (code) => reject(new Error(`quarryd exited (${code}):\n${output}`)));
  });
});

after(async () => {
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((resolve) => daemon?.once('exit', resolve));
    daemon.kill('SIGTERM');
    await exited;
  }
});

const connect = (...args: string[]) => [`--connect=${url}`, `--token_file=${tokenFile}`, ...args];

test('a remote query prints exactly what the local engine prints', () => {
  const sql = "select 'a b' as s, 1.5 as d, null as n, 42 as i";
  for (const mode of [[], ['--json'], ['--line'], ['--csv'], ['--list', '--header=false']]) {
    const remote = quarryi(connect(...mode, sql));
    const local = quarryi([...mode, sql]);
    assert.equal(remote.status, 0, remote.stderr);
    assert.equal(remote.stdout, local.stdout, mode.join(' '));
  }
});

test('remote errors keep SQLite\'s message and exit code', () => {
  const syntax = quarryi(connect('selec 1'));
  assert.equal(syntax.status, 1);
  assert.equal(syntax.stderr, 'Error: near "selec": syntax error\n');
  const required = quarryi(connect('select * from hash'));
  assert.equal(required.status, 19);
  assert.match(required.stderr, /Error: Table hash was queried without a required column in the WHERE clause\n$/);
});

test('.tables and .schema come from the daemon', async () => {
  const tables = quarryi(connect('.tables'));
  assert.equal(tables.status, 0, tables.stderr);
  const token = readFileSync(tokenFile, 'utf8').trim();
  const listing = (await (await fetch(`${url}/v1/tables`, { headers: { authorization: `Bearer ${token}` } })).json()) as { tables: { name: string }[] };
  const names = listing.tables.map((table) => table.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  assert.equal(tables.stdout, names.map((name) => `  => ${name}\n`).join(''));
  assert.equal(quarryi(connect('.schema users')).stdout, quarryi(['.schema users']).stdout);
});

test('a wrong token is refused with a hint; an unreachable daemon is named', async () => {
  const wrongToken = join(root, 'wrong-token');
  writeFileSync(wrongToken, 'not-the-token\n');
  const refused = quarryi([`--connect=${url}`, `--token_file=${wrongToken}`, 'select 1']);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^Error: .*\(check --token_file\)\n$/);
  // A port that was free a moment ago: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const unreachable = quarryi([`--connect=http://127.0.0.1:${port}`, `--token_file=${tokenFile}`, 'select 1']);
  assert.equal(unreachable.status, 1);
  assert.equal(unreachable.stderr, `Error: cannot reach quarryd at http://127.0.0.1:${port} (ECONNREFUSED); is quarryd running with its HTTP endpoint on?\n`);
});
