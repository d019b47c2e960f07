import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interface_addresses } from '@quarry/tables/network/index';
import { engineWith, mustRun, rows } from '../host-context.js';

/** `ip -o addr` lines: "4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\ ..." */
function ipAddresses(): Array<{ iface: string; address: string; brd: string | null }> {
  const out: Array<{ iface: string; address: string; brd: string | null }> = [];
  for (const line of mustRun('ip', ['-o', 'addr']).split('\n')) {
    const match = /^\d+:\s+(\S+)\s+inet6?\s+([^/\s]+)\/\d+(?:\s+brd\s+(\S+))?/.exec(line);
    if (match) out.push({ iface: match[1]!.replace(/@.*$/, ''), address: match[2]!, brd: match[3] ?? null });
  }
  return out;
}

test('interface_addresses lists the addresses ip -o addr shows, with IPv4 broadcasts', async () => {
  const engine = await engineWith(interface_addresses);
  const got = rows(engine, 'SELECT interface, address, mask, broadcast, type FROM interface_addresses');
  const expected = ipAddresses();
  assert.ok(expected.length > 0, 'ip shows at least one address');
  const key = (iface: string, address: string) => `${iface} ${address}`;
  const gotKeys = new Set(got.map((row) => key(String(row.interface), String(row.address).replace(/%.*$/, ''))));
  for (const entry of expected) {
    assert.ok(gotKeys.has(key(entry.iface, entry.address)), `missing ${entry.iface} ${entry.address}`);
    if (entry.brd) {
      const row = got.find((r) => r.interface === entry.iface && r.address === entry.address);
      assert.equal(row?.broadcast, entry.brd, `broadcast of ${entry.address}`);
    }
  }
  assert.equal(got.length, expected.length);
  for (const row of got) assert.equal(row.type, 'unknown');
  for (const row of got.filter((r) => String(r.address).startsWith('fe80:'))) {
    assert.ok(String(row.address).endsWith(`%${row.interface}`), 'link-local addresses carry their scope');
  }
});
