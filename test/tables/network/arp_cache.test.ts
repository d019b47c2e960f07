import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arp_cache } from '@quarry/tables/network/index';
import { engineWith, mustRun, rows } from '../host-context.js';

test('arp_cache holds each IPv4 neighbour ip neigh knows a MAC for', async () => {
  const engine = await engineWith(arp_cache);
  const neighbours = (JSON.parse(mustRun('ip', ['-j', '-4', 'neigh', 'show'])) as Array<{ dst: string; dev: string; lladdr?: string; state: string[] }>)
    .filter((n) => n.lladdr);
  const got = rows(engine, 'SELECT * FROM arp_cache');
  for (const neighbour of neighbours) {
    const row = got.find((r) => r.address === neighbour.dst && r.interface === neighbour.dev);
    assert.ok(row, `neighbour ${neighbour.dst} present`);
    assert.equal(String(row.mac).toLowerCase(), neighbour.lladdr!.toLowerCase());
    assert.equal(row.permanent, neighbour.state.includes('PERMANENT') ? '1' : '0');
  }
  for (const row of got) assert.ok(row.permanent === '0' || row.permanent === '1');
});
