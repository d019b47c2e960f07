/**
 * quarryd as the daemon the osquery SDKs spawn (osquery-python's SpawnInstance flags), and --extensions_require /
 * socket failures, against a real quarryd and the Python Thrift client.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { QuarrydProcess, quarrydBin } from '../daemon/quarryd-process.js';
import { tempDir } from '../temp-dir.js';
import { pythonClient, pythonPath } from './thrift-peers.js';

describe('quarryd for SDK clients', () => {
  it('runs with the flags an SDK passes and answers query() on the socket', async () => {
    pythonPath();
    const daemon = new QuarrydProcess({ flags: ['--disable_database', '--disable_watchdog', '--disable_logging', '--ephemeral', '--config_path=/dev/null'] });
    await daemon.start();
    try {
      const socket = join(daemon.dir, 'ext', 'osquery.em');
      const [ping, answer] = pythonClient(socket, [['ping'], ['query', 'select count(*) as n from osquery_info']]) as [{ code: number }, { status: { code: number }; response: Record<string, string>[] }];
      assert.equal(ping.code, 0);
      assert.deepEqual(answer.response, [{ n: '1' }]);
    } finally {
      await daemon.stop();
    }
  });

  it('--extensions_require fails start-up naming the extension that never registered', () => {
    const dir = tempDir('quarry-ext-require-');
    const run = spawnSync(process.execPath, [quarrydBin, '--config_path=/dev/null', `--database_path=${join(dir, 'db')}`, `--logger_path=${join(dir, 'log')}`, '--disable_audit', '--http_port=0', `--http_token_file=${join(dir, 'token')}`,
      `--pidfile=${join(dir, 'pid')}`, '--disable_watchdog', `--extensions_socket=${join(dir, 'em', 'osquery.em')}`, '--extensions_require=never_there', '--extensions_timeout=1'], { encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /Required extension not registered within 1 s \(--extensions_require\): never_there/);
  });

  it('a socket directory others may write is refused with what to do; quarryd runs on without extensions', async () => {
    const dir = tempDir('quarry-ext-dir-');
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const daemon = new QuarrydProcess({ flags: ['--disable_watchdog', `--extensions_socket=${join(open, 'osquery.em')}`] });
    await daemon.start();
    try {
      assert.match(daemon.stderr, /Extension manager not started: Extensions socket directory .*open is writable by group or others \(mode 777\) without the sticky bit; make it private/);
      const info = await daemon.request('POST', '/v1/query', { body: { sql: 'select count(*) as n from osquery_extensions' } });
      assert.deepEqual(info.json.rows, [{ n: 1 }]);
    } finally {
      await daemon.stop();
    }
  });
});

describe('the manager socket at start-up', () => {
  it('replaces a stale socket nothing answers on, and a second quarryd on a live socket runs on without extensions', async () => {
    const dir = tempDir('quarry-ext-stale-');
    const socket = join(dir, 'em', 'osquery.em');
    mkdirSync(join(dir, 'em'), { mode: 0o700 });
    // A socket file left behind by a process that died (bound, never unlinked).
    spawnSync('/usr/bin/python3', ['-c', `import socket; s = socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(socket)})`]);
    spawnSync('/usr/bin/python3', ['-c', `import socket; s = socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(`${socket}.4242`)})`]);
    const first = new QuarrydProcess({ flags: ['--disable_watchdog', `--extensions_socket=${socket}`] });
    await first.start();
    try {
      assert.equal((pythonClient(socket, [['ping']]) as Array<{ code: number }>)[0]!.code, 0);
      assert.equal(existsSync(`${socket}.4242`), false, 'the stale extension socket is removed');
      const second = new QuarrydProcess({ flags: ['--disable_watchdog', `--extensions_socket=${socket}`] });
      await second.start();
      try {
        assert.match(second.stderr, /Extension manager not started: Another extension manager is listening on .*osquery\.em; stop it or choose another --extensions_socket/);
      } finally {
        await second.stop();
      }
      assert.equal((pythonClient(socket, [['ping']]) as Array<{ code: number }>)[0]!.code, 0, 'the first manager still serves');
    } finally {
      await first.stop();
    }
  });

  it('a config plugin no extension registers is an error in the log, and quarryd runs on', async () => {
    const daemon = new QuarrydProcess({ flags: ['--disable_watchdog', '--config_plugin=nobody', '--extensions_timeout=1'] });
    await daemon.start();
    try {
      assert.match(daemon.stderr, /Config could not be loaded from the extension config plugin nobody: no extension registered the config plugin nobody within 1 s \(--extensions_timeout\)/);
      const info = await daemon.request('POST', '/v1/query', { body: { sql: 'select config_valid from osquery_info' } });
      assert.deepEqual(info.json.rows, [{ config_valid: 0 }]);
    } finally {
      await daemon.stop();
    }
  });
});
