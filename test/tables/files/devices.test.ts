import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { block_devices, pci_devices, usb_devices } from '@quarry/tables/files/index';
import { engineWith, mustRun, rows, tool } from '../host-context.js';

test('block_devices agrees with lsblk on names, sizes and parents', async () => {
  const engine = await engineWith(block_devices);
  const got = rows(engine, 'SELECT * FROM block_devices');
  const listed = JSON.parse(mustRun('lsblk', ['-J', '-b', '-a', '-o', 'NAME,SIZE,PKNAME,FSTYPE,UUID,LABEL'])) as { blockdevices: Array<Record<string, unknown>> };
  const flat: Array<Record<string, unknown>> = [];
  const walk = (devices: Array<Record<string, unknown>>) => {
    for (const device of devices) {
      flat.push(device);
      if (Array.isArray(device.children)) walk(device.children as Array<Record<string, unknown>>);
    }
  };
  walk(listed.blockdevices);
  assert.ok(flat.length > 0);
  for (const device of flat) {
    const row = got.find((r) => r.name === `/dev/${device.name}`);
    assert.ok(row, `${device.name} present`);
    assert.equal(Number(row.size) * 512, Number(device.size), `${device.name} size`);
    assert.equal(row.parent, device.pkname ? `/dev/${device.pkname}` : '', `${device.name} parent`);
    if (device.uuid) assert.equal(row.uuid, device.uuid);
  }
  assert.equal(got.length, readdirSync('/sys/class/block').length);
});

function ensureLspci(): boolean {
  if (tool('lspci', ['-n']) !== null) return true;
  const install = () =>
    spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=120', 'install', '-y', '-q', '--no-install-recommends', 'pciutils'], { stdio: 'ignore', timeout: 180_000 });
  // A fresh machine may have no package lists yet: update once and try again.
  if (install().status !== 0) {
    spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=120', 'update', '-q'], { stdio: 'ignore', timeout: 300_000 });
    install();
  }
  return tool('lspci', ['-n']) !== null;
}

test('pci_devices agrees with lspci -n (or the sysfs attributes when pciutils cannot be installed)', async () => {
  const engine = await engineWith(pci_devices);
  const got = rows(engine, 'SELECT * FROM pci_devices');
  if (ensureLspci()) {
    const lines = mustRun('lspci', ['-n', '-D']).trim().split('\n').filter(Boolean);
    assert.equal(got.length, lines.length);
    for (const line of lines) {
      const match = /^(\S+)\s+([0-9a-f]{2})([0-9a-f]{2}):\s+([0-9a-f]{4}):([0-9a-f]{4})/.exec(line)!;
      const row = got.find((r) => r.pci_slot === match[1]);
      assert.ok(row, `${match[1]} present`);
      assert.equal(String(row.pci_class_id).toLowerCase(), match[2]);
      assert.equal(String(row.pci_subclass_id).toLowerCase(), match[3]);
      assert.equal(String(row.vendor_id).toLowerCase(), match[4]);
      assert.equal(String(row.model_id).toLowerCase(), match[5]);
    }
  } else {
    const slots = existsSync('/sys/bus/pci/devices') ? readdirSync('/sys/bus/pci/devices') : [];
    assert.equal(got.length, slots.length);
    for (const slot of slots) {
      const vendor = readFileSync(`/sys/bus/pci/devices/${slot}/vendor`, 'utf8').trim().slice(2);
      assert.equal(String(got.find((r) => r.pci_slot === slot)?.vendor_id).toLowerCase(), vendor);
    }
  }
});

test('usb_devices lists each USB device in sysfs (none when the machine has no USB bus)', async () => {
  const engine = await engineWith(usb_devices);
  const got = rows(engine, 'SELECT * FROM usb_devices');
  const dir = '/sys/bus/usb/devices';
  const devices = existsSync(dir) ? readdirSync(dir).filter((name) => !name.includes(':') && existsSync(`${dir}/${name}/devnum`)) : [];
  assert.equal(got.length, devices.length);
  for (const name of devices) {
    const bus = Number(readFileSync(`${dir}/${name}/busnum`, 'utf8'));
    const dev = Number(readFileSync(`${dir}/${name}/devnum`, 'utf8'));
    assert.ok(got.some((r) => r.usb_address === bus && r.usb_port === dev), `${name} present`);
  }
});
