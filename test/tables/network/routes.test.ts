import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routes } from '@quarry/tables/network/index';
import { engineWith, mustRun, rows } from '../host-context.js';

interface IpRoute { type?: string; dst: string; gateway?: string; dev: string; metric?: number; table?: string }

function ipRoutes(family: '-4' | '-6', table: string): IpRoute[] {
  return JSON.parse(mustRun('ip', ['-j', family, 'route', 'show', 'table', table])) as IpRoute[];
}

function split(dst: string, hostLength: number): { destination: string; prefix: number } {
  if (dst === 'default') return { destination: hostLength === 32 ? '0.0.0.0' : '::', prefix: 0 };
  const [destination, prefix] = dst.split('/');
  return { destination: destination!, prefix: prefix === undefined ? hostLength : Number(prefix) };
}

test('routes holds every IPv4 main-table and IPv6 route ip route shows', async () => {
  const engine = await engineWith(routes);
  const got = rows(engine, 'SELECT * FROM routes');
  const expected: Array<{ route: IpRoute; hostLength: number }> = [
    ...ipRoutes('-4', 'main').map((route) => ({ route, hostLength: 32 })),
    ...ipRoutes('-6', 'main').map((route) => ({ route, hostLength: 128 })),
    ...ipRoutes('-6', 'local').map((route) => ({ route, hostLength: 128 })),
  ];
  assert.ok(expected.length > 0);
  for (const { route, hostLength } of expected) {
    const { destination, prefix } = split(route.dst, hostLength);
    const netmask = prefix === hostLength ? 0 : prefix; // osquery reports host routes with netmask 0
    const row = got.find((r) => r.destination === destination && r.netmask === netmask && r.interface === route.dev);
    assert.ok(row, `route ${route.dst} dev ${route.dev} present`);
    assert.equal(row.gateway ?? undefined, route.gateway, `gateway of ${route.dst}`);
    assert.equal(row.metric, route.metric ?? 0, `metric of ${route.dst}`);
    const wantType = route.type === 'local' ? 'local' : route.type === 'multicast' || route.type === 'unreachable' ? 'other' : 'gateway';
    assert.equal(row.type, wantType, `type of ${route.dst}`);
  }
  const ipv4 = got.filter((r) => !String(r.destination).includes(':'));
  assert.equal(ipv4.length, ipRoutes('-4', 'main').length);
});

test('routes can be filtered on its additional type column', async () => {
  const engine = await engineWith(routes);
  const locals = rows(engine, "SELECT destination FROM routes WHERE type = 'local'");
  assert.equal(locals.length, ipRoutes('-6', 'local').filter((r) => r.type === 'local').length);
});
