import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interface_details } from '@quarry/tables/network/index';
import { engineWith, mustRun, rows } from '../host-context.js';

const IFF_UP = 0x1;

test('interface_details matches ip -d link: names, MTU, MAC, UP flag and counters', async () => {
  const engine = await engineWith(interface_details);
  const links = JSON.parse(mustRun('ip', ['-j', '-s', 'link'])) as Array<{
    ifname: string; mtu: number; address?: string; flags: string[]; link_type: string;
    stats64?: { rx: { bytes: number; packets: number }; tx: { bytes: number; packets: number } };
  }>;
  const got = rows(engine, 'SELECT * FROM interface_details');
  assert.equal(got.length, links.length);
  for (const link of links) {
    const row = got.find((r) => r.interface === link.ifname);
    assert.ok(row, `interface ${link.ifname} present`);
    assert.equal(row.mtu, link.mtu);
    if (link.address) assert.equal(row.mac, link.address);
    assert.equal((Number(row.flags) & IFF_UP) !== 0, link.flags.includes('UP'), `UP flag of ${link.ifname}`);
    assert.equal(row.last_change, -1);
    if (link.stats64) {
      // Counters only grow between the two reads.
      assert.ok(Number(row.ibytes) >= link.stats64.rx.bytes, 'ibytes');
      assert.ok(Number(row.opackets) >= link.stats64.tx.packets, 'opackets');
    }
    if (link.link_type === 'loopback') assert.equal(row.type, 772);
  }
});
