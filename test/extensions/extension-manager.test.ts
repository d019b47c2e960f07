/**
 * osquery's Thrift extension API in a real quarryd (bin/quarryd.js): a Python client and Python extensions on
 * Debian's python3-thrift with code generated from Quarry's osquery.thrift talk to the manager socket.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { decodeReply, encodeMessage, exchange, MessageType, RemoteApplicationError } from '@quarry/extensions';
import { QuarrydProcess } from '../daemon/quarryd-process.js';
import { pythonClient, pythonPath, startNodeExtension, startPythonExtension, type RunningExtension, waitFor } from './thrift-peers.js';

type Status = { code: number; message: string; uuid: number };
type Response = { status: Status; response: Record<string, string>[] };

const column = (name: string, type = 'TEXT', op = '0') => ({ id: 'column', name, type, op });


function rawExchange(socket: string, bytes: Buffer): Promise<{ closed: boolean; data: Buffer }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const client = connect(socket, () => client.write(bytes));
    const timer = setTimeout(() => {
      client.destroy();
      resolve({ closed: false, data: Buffer.concat(chunks) });
    }, 3000);
    client.on('data', (d) => chunks.push(d));
    client.on('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, data: Buffer.concat(chunks) });
    });
    client.on('error', () => undefined);
  });
}

describe('quarryd extension manager (ExtensionManager over a UNIX socket)', () => {
  const daemon = new QuarrydProcess({ flags: ['--disable_watchdog', '--extensions_interval=1', '--extensions_timeout=3', '--query_timeout=10'] });
  const socket = join(daemon.dir, 'ext', 'osquery.em');
  const running: RunningExtension[] = [];
  const sql = async (text: string) => (await daemon.request('POST', '/v1/query', { body: { sql: text } })).json;

  before(async () => {
    pythonPath();
    await daemon.start();
  });
  after(async () => {
    for (const extension of running) await extension.stop();
    await daemon.stop();
  });

  it('listens on --extensions_socket with mode 0600 and answers ping, extensions, options', async () => {
    const info = await sql("select extensions from osquery_info");
    assert.deepEqual(info.rows, [{ extensions: 'active' }]);
    assert.equal(statSync(socket).mode & 0o777, 0o600);
    const [ping, extensions, options] = pythonClient(socket, [['ping'], ['extensions'], ['options']]) as [Status, Record<string, unknown>, Record<string, string[]>];
    assert.deepEqual(ping, { code: 0, message: 'pong', uuid: 0 });
    assert.deepEqual(extensions, {});
    assert.deepEqual(options['extensions_socket'], [socket, '/var/osquery/osquery.em', 'string']);
    assert.deepEqual(options['query_timeout']?.[0], '10');
    assert.ok(Object.keys(options).length > 200, 'every flag is listed');
  });

  it('query and getQueryColumns answer rows as strings and declared types, errors as status 1', () => {
    const [rows, columns, failed] = pythonClient(socket, [
      ['query', 'select 1 as one, 2.5 as half, null as empty, \'x\' as text'],
      ['getQueryColumns', 'select pid, name, 1 + 1 as x from processes'],
      ['query', 'select * from no_such_table'],
    ]) as Response[];
    assert.deepEqual(rows, { status: { code: 0, message: 'OK', uuid: 0 }, response: [{ one: '1', half: '2.5', empty: '', text: 'x' }] });
    assert.deepEqual(columns!.response, [{ pid: 'BIGINT' }, { name: 'TEXT' }, { x: 'UNKNOWN' }]);
    assert.deepEqual(failed, { status: { code: 1, message: 'no such table: no_such_table', uuid: 0 }, response: [] });
  });

  it('call() reaches Quarry\'s own tables and names what it cannot call', () => {
    const answers = pythonClient(socket, [
      ['call', 'table', 'os_version', { action: 'generate', context: JSON.stringify({ constraints: [{ name: 'name', list: [{ op: 2, expr: 'no such os' }], affinity: 'TEXT' }] }) }],
      ['call', 'table', 'uptime', { action: 'columns' }],
      ['call', 'table', 'uptime', {}],
      ['call', 'table', 'no_such_table', { action: 'generate' }],
      ['call', 'config', 'filesystem', { action: 'genConfig' }],
    ]) as Response[];
    assert.deepEqual(answers[0], { status: { code: 0, message: 'OK', uuid: 0 }, response: [] });
    assert.deepEqual(answers[1]!.response[0], { id: 'column', name: 'days', type: 'INTEGER', op: '0' });
    assert.deepEqual(answers.slice(2).map((a) => [a.status.code, a.status.message]), [
      [1, 'Table plugins must include a request action (generate or columns)'],
      [1, 'Table no_such_table does not exist'],
      [1, 'Quarry has no config plugin filesystem that can be called (registries callable here: table, and extensions\' plugins)'],
    ]);
  });

  it('refuses bad registrations with osquery\'s status messages and changes nothing', async () => {
    const answers = pythonClient(socket, [
      ['register', 'bad_builtin', { table: { processes: [column('pid')] } }],
      ['register', 'bad_route', { table: { t_bad: [column('a b')] } }],
      ['register', 'bad_type', { table: { t_bad: [column('a', 'VARCHAR')] } }],
      ['register', 'bad_registry', { nosuch: { x: [] } }],
      ['register', 'old_sdk', {}, '1.0.0'],
      ['register', 'core_logger', { logger: { filesystem: [] } }],
      ['register', 'bad_logger', { logger: { 'a,b': [] } }],
      ['register', 'distributed', { distributed: { x: [] } }],
      ['deregister', 65535],
    ]) as Status[];
    assert.deepEqual(
      answers.map((a) => [a.code, a.message]),
      [
        [1, 'Failed adding registry: Registry item processes conflicts with another item of the same name.'],
        [1, "Failed adding registry: column 0 of table t_bad has the name 'a b', which is not a valid SQL name"],
        [1, "Failed adding registry: column a of table t_bad has the type 'VARCHAR'; expected one of TEXT, INTEGER, BIGINT, UNSIGNED BIGINT, DOUBLE, BLOB"],
        [1, 'Failed adding registry: Unknown registry: nosuch'],
        [1, 'Incompatible extension SDK version'],
        [1, 'Failed adding registry: Registry item filesystem conflicts with another item of the same name.'],
        [1, "Failed adding registry: 'a,b' is not a valid logger plugin name"],
        [1, 'Failed adding registry: Quarry does not take extension plugins for the distributed registry'],
        [1, 'No extension UUID found'],
      ],
    );
    assert.deepEqual(pythonClient(socket, [['extensions']]), [{}]);
    await waitFor('the log line', async () => (/Refused extension registration of 'bad_builtin'/.test(daemon.stderr) ? true : undefined));
  });

  it('garbage and another protocol on the socket drop that connection only, with a log line', async () => {
    const http = await rawExchange(socket, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.equal(http.closed, true);
    // A strict binary message header whose struct carries an unknown type id.
    const bad = Buffer.from([0x80, 0x01, 0x00, 0x01, 0, 0, 0, 4, ...Buffer.from('ping'), 0, 0, 0, 1, 0x63, 0, 1]);
    assert.equal((await rawExchange(socket, bad)).closed, true);
    await waitFor('the log line', async () => (/dropped a connection on .*not a Thrift binary-protocol message/.test(daemon.stderr) ? true : undefined));
    assert.match(daemon.stderr, /dropped a connection on .*unknown Thrift type 99/);
    assert.deepEqual((pythonClient(socket, [['ping']]) as Status[])[0]!.code, 0);
  });

  it('a well-framed request with wrong argument types gets a protocol-error exception, and nothing registers', async () => {
    // registerExtension whose registry is map<string, i32> instead of map<string, map<...>>.
    const request = encodeMessage('registerExtension', MessageType.CALL, 5, (o) => {
      o.writeStructBegin('args');
      o.writeFieldBegin('registry', 13 as never, 2);
      o.writeMapBegin(11 as never, 8 as never, 1);
      o.writeString('table');
      o.writeI32(7);
      o.writeMapEnd();
      o.writeFieldEnd();
      o.writeFieldStop();
      o.writeStructEnd();
    });
    const reply = await exchange(socket, request, { timeoutMs: 5000, maxReplyBytes: 65536 });
    assert.throws(() => decodeReply(reply, 'registerExtension'), (error: Error) => error instanceof RemoteApplicationError && /malformed registerExtension request: registry routes: expected Thrift type 13, got 8/.test(error.message));
    assert.deepEqual(pythonClient(socket, [['extensions']]), [{}]);
  });

  it('a Python table plugin is a real table: constraints reach it, joins, osquery_extensions and osquery_registry list it', async () => {
    const extension = await startPythonExtension(socket, 'table', { QUARRY_EXT_NAME: 'py_table' });
    running.push(extension);
    const rows = await waitFor('py_files', async () => {
      const answer = await sql("select path, size from py_files where path = '/etc/hosts'");
      return answer.rows ? answer : undefined;
    });
    assert.equal(rows.rows.length, 1);
    assert.equal(rows.rows[0].path, '/etc/hosts');
    assert.equal(rows.rows[0].size, statSync('/etc/hosts').size, 'INTEGER columns come back as numbers');
    assert.deepEqual(await sql("select * from py_files where path = '/fail-please'"), { error: 'refusing to read /fail-please', code: 1 });
    const joined = await sql("select f.path, u.total_seconds >= 0 as ok from py_files f join uptime u");
    assert.deepEqual(joined.rows.map((r: { path: string }) => r.path).sort(), ['/etc/hostname', '/etc/passwd']);
    const extensions = await sql('select uuid, name, version, sdk_version, path, type from osquery_extensions order by uuid');
    assert.deepEqual(extensions.rows[1], { uuid: extension.uuid, name: 'py_table', version: '1.2.3', sdk_version: '3.0.7', path: `${socket}.${extension.uuid}`, type: 'extension' });
    assert.deepEqual([extensions.rows[0].type, extensions.rows[0].path], ['core', socket]);
    const listed = await daemon.request('GET', '/v1/tables/py_files');
    assert.deepEqual(listed.json.columns.map((c: { name: string; type: string }) => [c.name, c.type]), [['path', 'TEXT'], ['size', 'INTEGER'], ['mode', 'TEXT']]);
    const registry = await sql(`select registry, name from osquery_registry where owner_uuid = ${extension.uuid}`);
    assert.deepEqual(registry.rows, [{ registry: 'table', name: 'py_files' }]);
    const viaManager = pythonClient(socket, [['query', "select path from py_files where path = '/etc/passwd'"], ['extensions'], ['register', 'py_table', {}]]) as [Response, Record<string, string[]>, Status];
    assert.deepEqual(viaManager[0].response, [{ path: '/etc/passwd' }]);
    assert.deepEqual(viaManager[1][String(extension.uuid)], ['py_table', '1.2.3', '3.0.7', '1.8.0']);
    assert.deepEqual([viaManager[2].code, viaManager[2].message], [1, 'Duplicate extension registered']);
  });

  it('a table whose extension dies disappears within the ping interval', async () => {
    const extension = running.pop()!;
    await extension.stop();
    await waitFor('py_files to go', async () => ((await sql('select * from py_files')).error?.includes('no such table: py_files') ? true : undefined));
    await waitFor('the log line', async () => (/did not answer ping .*its plugins are removed/.test(daemon.stderr) ? true : undefined));
  });

  it('undeclared columns are ignored with a warning; a crash mid-query and a hang fail the query, quarryd keeps serving', async () => {
    const bad = await startPythonExtension(socket, 'bad');
    const crash = await startPythonExtension(socket, 'crash');
    const hang = await startPythonExtension(socket, 'hang');
    running.push(bad, crash, hang);
    await waitFor('py_hang', async () => ((await sql('select name from osquery_extensions where name = \'py_hang\'')).rows?.length === 1 ? true : undefined));
    const badRows = await sql('select * from py_bad');
    assert.deepEqual(badRows.rows, [{ a: '1' }]);
    assert.match(JSON.stringify(badRows.warnings), /py_bad returned columns it did not declare \(ignored\): zzz/);
    const crashed = await sql('select * from py_crash');
    assert.match(crashed.error, /Extension table py_crash of extension py_crash .* failed: the connection closed before a complete answer/);
    const started = Date.now();
    const hung = await sql('select * from py_hang');
    const waited = Date.now() - started;
    assert.match(hung.error, /Extension table py_hang .* failed: no answer within 10000 ms/);
    assert.ok(waited < 20_000, `the hung call ended with --query_timeout (took ${waited} ms)`);
    assert.deepEqual((await sql('select 1 as ok')).rows, [{ ok: 1 }]);
  });

  it('a 100 MB answer is refused clearly', async () => {
    const big = await startPythonExtension(socket, 'big');
    running.push(big);
    await waitFor('py_big', async () => ((await sql("select 1 from osquery_extensions where name = 'py_big'")).rows?.length === 1 ? true : undefined));
    const answer = await sql('select length(blob) from py_big');
    assert.match(answer.error, /Extension table py_big .* failed: its answer is larger than 67108864 bytes/);
  });

  it('an extension on the thrift npm package (generated js:node code) serves a table, with constraints', async () => {
    const extension = await startNodeExtension(socket);
    running.push(extension);
    const answer = await waitFor('node_numbers', async () => {
      const result = await sql('select n, square from node_numbers where n in (3, 7) order by n');
      return result.rows ? result : undefined;
    });
    assert.deepEqual(answer.rows, [{ n: 3, square: '9' }, { n: 7, square: '49' }]);
    const joined = await sql('select a.n, b.square from node_numbers a join node_numbers b on b.n = a.n + 1 where a.n = 2');
    assert.deepEqual(joined.rows, [{ n: 2, square: '9' }]);
  });

  it('deregisterExtension removes an extension and its tables', async () => {
    const bad = running.find((e) => e.stderr().includes('py_bad'))!;
    const [status] = pythonClient(socket, [['deregister', bad.uuid]]) as Status[];
    assert.equal(status.code, 0);
    await waitFor('py_bad to go', async () => ((await sql('select * from py_bad')).error?.includes('no such table') ? true : undefined));
  });
});
