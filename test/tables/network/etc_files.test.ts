import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etc_hosts, etc_protocols, etc_services } from '@quarry/tables/network/index';
import { engineWith, mustRun, rows, tool } from '../host-context.js';

test('etc_services has every service getent services lists', async () => {
  const engine = await engineWith(etc_services);
  const got = rows(engine, 'SELECT name, port, protocol, aliases FROM etc_services');
  const byKey = new Map(got.map((r) => [`${r.name} ${r.port}/${r.protocol}`, r]));
  const lines = mustRun('getent', ['services']).split('\n').filter(Boolean);
  assert.ok(lines.length > 0);
  for (const line of lines) {
    const [name, portProto, ...aliases] = line.trim().split(/\s+/);
    const row = byKey.get(`${name} ${portProto}`);
    assert.ok(row, `service ${name} ${portProto}`);
    assert.equal(row.aliases, aliases.join(' '));
  }
  assert.equal(got.length, lines.length);
});

test('etc_protocols has every protocol getent protocols lists', async () => {
  const engine = await engineWith(etc_protocols);
  const got = rows(engine, 'SELECT name, number, alias FROM etc_protocols');
  const lines = mustRun('getent', ['protocols']).split('\n').filter(Boolean);
  for (const line of lines) {
    const [name, number, ...aliases] = line.trim().split(/\s+/);
    const row = got.find((r) => r.name === name);
    assert.ok(row, `protocol ${name}`);
    assert.equal(row.number, Number(number));
    assert.equal(row.alias, aliases.join(' '));
  }
  assert.equal(got.length, lines.length);
});

test('etc_hosts (and its alias hosts) agree with getent hosts', async () => {
  const engine = await engineWith(etc_hosts);
  const got = rows(engine, 'SELECT address, hostnames FROM etc_hosts');
  assert.deepEqual(rows(engine, 'SELECT address, hostnames FROM hosts'), got);
  for (const row of got) {
    for (const name of String(row.hostnames).split(' ')) {
      const resolved = tool('getent', ['hosts', name]);
      assert.ok(resolved, `getent resolves ${name}`);
      const address = resolved.trim().split(/\s+/)[0]!;
      const candidates = got.filter((r) => String(r.hostnames).split(' ').includes(name)).map((r) => r.address);
      assert.ok(candidates.includes(address), `${name} → ${address} is one of etc_hosts' addresses`);
    }
  }
});
