import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { select } from '../engine.js';
import { run } from '../system-tools.js';

test('platform_info gives the BIOS strings the kernel decoded, or no row on hosts without DMI', () => {
  const rows = select('platform_info');
  if (!existsSync('/sys/class/dmi/id/bios_vendor')) {
    assert.deepEqual(rows, []);
    return;
  }
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.vendor, run('cat', ['/sys/class/dmi/id/bios_vendor']).trim());
  assert.equal(rows[0]!.firmware_type, existsSync('/sys/firmware/efi') ? 'uefi' : 'bios');
});
