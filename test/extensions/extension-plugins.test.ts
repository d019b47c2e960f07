/**
 * Extension config and logger plugins and --extensions_autoload in a real quarryd: autoloaded Python extensions
 * (python3-thrift, code generated from osquery.thrift) give the config (genConfig) and receive the result lines.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QuarrydProcess } from '../daemon/quarryd-process.js';
import { tempDir } from '../temp-dir.js';
import { pythonClient, startPythonExtension, waitFor, wrapper, type RunningExtension } from './thrift-peers.js';


describe('extension config and logger plugins, autoload', () => {
  const dir = tempDir('quarry-ext-plugins-');
  const received = join(dir, 'logger-lines');
  const autoload = join(dir, 'extensions.load');
  let daemon: QuarrydProcess;

  before(async () => {
    writeFileSync(autoload, `# autoloaded by quarryd\n${wrapper(dir, 'config')}\n${wrapper(dir, 'logger', `QUARRY_EXT_LOG=${received}`)}\n${join(dir, 'missing-extension')}\n`);
    daemon = new QuarrydProcess({
      flags: ['--disable_watchdog', '--config_plugin=py_config', '--logger_plugin=filesystem,py_logger', `--extensions_autoload=${autoload}`, '--extensions_timeout=10', '--extensions_interval=1', '--extensions_require=py_config,py_logger'],
    });
    await daemon.start();
  });
  after(async () => {
    await daemon.stop();
  });

  it('starts each autoload entry with --socket, --timeout and --interval, and names an entry it cannot run', () => {
    const socket = join(daemon.dir, 'ext', 'osquery.em');
    assert.equal(readFileSync(join(dir, 'args-config'), 'utf8').split('\n')[0], `--socket ${socket} --timeout 10 --interval 1`);
    assert.match(daemon.stderr, /Extension autoload: .*missing-extension cannot be executed/);
    const [extensions] = pythonClient(socket, [['extensions']]) as [Record<string, string[]>];
    assert.deepEqual(Object.values(extensions).map((info) => info[0]).sort(), ['py_config', 'py_logger']);
  });

  it('--config_plugin reads the schedule from the extension\'s genConfig', async () => {
    // The config is fetched once the extension registered, which may be just after start-up returned.
    const rows = await waitFor(`the schedule from py_config (quarryd log:\n${daemon.stderr})`, async () => {
      const schedule = await daemon.request('POST', '/v1/query', { body: { sql: 'select name, query, interval from osquery_schedule' } });
      return schedule.json.rows?.length ? schedule.json.rows : undefined;
    }, 10_000);
    assert.deepEqual(rows, [{ name: 'from_python', query: 'select 1 as one', interval: 1 }]);
    assert.match(daemon.stderr, /Config applied from the extension config plugin py_config/);
  });

  it('--logger_plugin=filesystem,<ext> sends result lines to the extension with osquery\'s "string" key, and the filesystem log gets them too', async () => {
    const line = await waitFor('a result line at the extension', () => {
      if (!existsSync(received)) return undefined;
      const first = readFileSync(received, 'utf8').split('\n').find(Boolean);
      return first ? (JSON.parse(first) as Record<string, string>) : undefined;
    });
    assert.deepEqual(Object.keys(line), ['string']);
    const result = JSON.parse(line['string']!) as { name: string; columns: Record<string, string>; action: string };
    assert.equal(result.name, 'from_python');
    assert.deepEqual(result.columns, { one: '1' });
    await waitFor('the filesystem results log', () => (existsSync(daemon.resultsLog) && readFileSync(daemon.resultsLog, 'utf8').includes('from_python') ? true : undefined));
  });

  it('an autoloaded extension that dies is started again and registers anew', async () => {
    const socket = join(daemon.dir, 'ext', 'osquery.em');
    const [before] = pythonClient(socket, [['extensions']]) as [Record<string, string[]>];
    const uuid = Object.entries(before).find(([, info]) => info[0] === 'py_logger')![0];
    const [status] = pythonClient(socket, [['call', 'logger', 'py_logger', { string: 'x' }]]) as [{ status: { code: number } }];
    assert.equal(status.status.code, 0, 'call on the manager reaches the extension\'s plugin');
    // shutdown() on the extension's own socket makes it exit; quarryd restarts it with backoff.
    const { encodeMessage, exchange, MessageType } = await import('@quarry/extensions');
    const shutdown = encodeMessage('shutdown', MessageType.CALL, 1, (o) => {
      o.writeStructBegin('args');
      o.writeFieldStop();
      o.writeStructEnd();
    });
    await exchange(`${socket}.${uuid}`, shutdown, { timeoutMs: 3000, maxReplyBytes: 4096 }).catch(() => undefined);
    await waitFor('py_logger back under a new uuid', () => {
      const [now] = pythonClient(socket, [['extensions']]) as [Record<string, string[]>];
      const entry = Object.entries(now).find(([, info]) => info[0] === 'py_logger');
      return entry && entry[0] !== uuid ? true : undefined;
    }, 30_000);
    await waitFor('the restart log line', () => (/Extension .*ext-logger\.sh exited .*starting it again in 1 s/.test(daemon.stderr) ? true : undefined));
  });
});

describe('an extension logger plugin that registers late', () => {
  it('keeps the result lines queued and delivers them, in order, once the extension registers', async () => {
    const dir = tempDir('quarry-ext-late-logger-');
    const received = join(dir, 'lines');
    const daemon = new QuarrydProcess({
      config: { schedule: { late: { query: 'select 42 as answer', interval: 1 } } },
      flags: ['--disable_watchdog', '--logger_plugin=filesystem,py_logger', '--extensions_interval=1'],
    });
    await daemon.start();
    let extension: RunningExtension | undefined;
    try {
      await waitFor('the queued-lines warning', () => (/Logger plugin py_logger: no extension has registered the logger plugin py_logger; \d+ lines wait and are retried/.test(daemon.stderr) ? true : undefined));
      extension = await startPythonExtension(join(daemon.dir, 'ext', 'osquery.em'), 'logger', { QUARRY_EXT_LOG: received, QUARRY_EXT_NAME: 'late_logger' });
      const first = await waitFor('lines at the extension', () => {
        if (!existsSync(received)) return undefined;
        const line = readFileSync(received, 'utf8').split('\n').find(Boolean);
        return line ? (JSON.parse(JSON.parse(line).string) as { name: string; columns: Record<string, string> }) : undefined;
      });
      assert.equal(first.name, 'late');
      assert.deepEqual(first.columns, { answer: '42' });
      await waitFor('the recovery line', () => (/Logger plugin py_logger takes lines again/.test(daemon.stderr) ? true : undefined));
    } finally {
      await extension?.stop();
      await daemon.stop();
    }
  });
});
