/**
 * hardware_events end to end against the real kernel: device events are triggered by writing `change` into sysfs
 * `uevent` files (a disk, a PCI device) and by attaching and detaching a loop device over a temp image (the kernel
 * sends `change` events for /dev/loopN; this VM's kernel has no partition-table support, so partition events are
 * exercised through the udev-format path below). The real udev publisher reads them from
 * its netlink socket, the real hardware_events subscriber stores rows in a real LMDB ring, and the real SQL engine
 * answers. `udevadm monitor --kernel --property`, listening at the same time, is the reference for what the kernel
 * sent. Rows of other devices may appear (other tests run beside this one): ours are found by path.
 *
 * The libudev message format (udevd's group 2; no udevd runs here) is exercised through the real kernel too: the test
 * sends udev-format messages and garbage to group 2 from a socket of its own, which a publisher on group 2 reads.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { Flags } from '@quarry/config';
import { EventStore } from '@quarry/buffers';
import { createEventRuntime } from '@quarry/events';
import {
  closeUeventSocket,
  encodeLibudevMessage,
  openUeventSocket,
  parseUeventDatagram,
  registerBuiltinPublishers,
  sendToUeventGroup,
  UDEV_CONTROL_PATH,
  UdevPublisher,
  type UdevEventContext,
} from '@quarry/publishers';
import { HardwareEventsSubscriber, registerBuiltinSubscribers } from '@quarry/subscribers';
import type { Row } from '@quarry/sql';
import { repoRoot } from '../shell/quarryi.js';
import { tempDir } from '../temp-dir.js';
import { openEventLab, type EventLab } from './event-lab.js';

interface Lab extends EventLab {
  /** Every context the udev publisher fired. */
  contexts: UdevEventContext[];
}

type Wiring = 'builtin' | 'udev-group';

/** The built-in runtime, or (`udev-group`) a udev publisher forced onto udevd's group with hardware_events alone. */
async function openLab(args: string[], wiring: Wiring = 'builtin'): Promise<Lab> {
  const contexts: UdevEventContext[] = [];
  const lab = await openEventLab(args, {
    ...(wiring === 'udev-group'
      ? {
          register: (runtime, flags) => {
            runtime.registerPublisher(new UdevPublisher({ flags, group: 'udev', pollMs: 50 }));
            runtime.registerSubscriber(new HardwareEventsSubscriber({ flags }));
          },
        }
      : {}),
    beforeStart: (runtime) => runtime.publisher('udev')!.emitter.on('event', (ctx: UdevEventContext) => contexts.push(ctx)),
  });
  return Object.assign(lab, { contexts });
}

async function eventually<T>(find: () => T | undefined | false, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** One event as `udevadm monitor --kernel --property` printed it. */
type MonitorEvent = Record<string, string>;

/** `udevadm monitor --kernel --property`, collecting every event block it prints. */
class UdevadmMonitor {
  private readonly child: ChildProcess;
  private output = '';
  stderr = '';

  constructor() {
    this.child = spawn('udevadm', ['monitor', '--kernel', '--property'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  async ready(): Promise<void> {
    await eventually(() => this.output.includes('KERNEL - the kernel uevent') || this.child.exitCode !== null, 'udevadm monitor to start');
    if (this.child.exitCode !== null) throw new Error(`udevadm monitor exited with ${this.child.exitCode}: ${this.stderr}`);
  }

  events(): MonitorEvent[] {
    return this.output
      .split('\n\n')
      .filter((block) => block.startsWith('KERNEL['))
      .map((block) => {
        const properties: MonitorEvent = {};
        for (const line of block.split('\n').slice(1)) {
          const equals = line.indexOf('=');
          if (equals > 0) properties[line.slice(0, equals)] = line.slice(equals + 1);
        }
        return properties;
      })
      .filter((event) => event['SEQNUM'] !== undefined);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}


function driverOf(devpath: string): string {
  try {
    return basename(readlinkSync(`/sys${devpath}/driver`));
  } catch {
    return '';
  }
}

const udevdRuns = existsSync(UDEV_CONTROL_PATH);
let labDefault: Lab;
let labDiskOff: Lab;
let monitor: UdevadmMonitor;
let loopDevice = '';
let diskName = '';
let pciDevice = '';
let reference: MonitorEvent[] = [];
let startedAt = 0;

before(async () => {
  execFileSync('sh', [join(repoRoot, 'scripts/ensure-udevadm.sh')], { stdio: 'inherit' });
  const dir = tempDir('quarry-hw-');
  const image = join(dir, 'disk.img');
  writeFileSync(image, Buffer.alloc(1024 * 1024));
  // A disk that is not a loop device (loop devices come and go with other tests); zram/vd/sd/nvme, whatever is here.
  const disks = readdirSync('/sys/block').filter((name) => !name.startsWith('loop') && !name.startsWith('ram'));
  diskName = disks.find((name) => existsSync(`/sys/block/${name}/device`)) ?? disks[0] ?? '';
  assert.ok(diskName, `a disk in /sys/block to send a change event to (found ${readdirSync('/sys/block').join(', ')})`);
  pciDevice = existsSync('/sys/bus/pci/devices') ? readdirSync('/sys/bus/pci/devices')[0] ?? '' : '';

  labDefault = await openLab([]);
  labDiskOff = await openLab(['--hardware_disabled_types=disk']);
  monitor = new UdevadmMonitor();
  await monitor.ready();
  startedAt = Math.floor(Date.now() / 1000);

  writeFileSync(`/sys/block/${diskName}/uevent`, 'change');
  loopDevice = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();
  execFileSync('losetup', ['-d', loopDevice]);
  const detached = loopDevice;
  loopDevice = '';
  // The last trigger: once udevadm and both publishers saw it, they saw everything before it (the kernel orders
  // uevents by SEQNUM).
  const lastDevpath = pciDevice ? readlinkSync(`/sys/bus/pci/devices/${pciDevice}`).replace(/^(\.\.\/)+/, '/') : `/devices/virtual/block/${basename(detached)}`;
  writeFileSync(pciDevice ? `/sys/bus/pci/devices/${pciDevice}/uevent` : `/sys/block/${basename(detached)}/uevent`, 'change');
  const last = await eventually(
    () => monitor.events().find((event) => event['DEVPATH'] === lastDevpath && event['ACTION'] === 'change'),
    `udevadm to print the change of ${lastDevpath}`,
  );
  const lastSeq = Number(last['SEQNUM']);
  for (const lab of [labDefault, labDiskOff]) {
    await eventually(() => lab.contexts.some((ctx) => Number(ctx.properties['SEQNUM']) >= lastSeq), 'the publisher to receive the last event');
  }
  await monitor.stop();
  await labDefault.runtime.settle();
  await labDiskOff.runtime.settle();
  reference = monitor.events();
  loopDevice = detached;
});

after(async () => {
  await monitor?.stop();
  // Detach what this file attached if a failure left it attached (losetup -d of a detached device fails: ignored).
  if (loopDevice) {
    try {
      if (readFileSync(`/sys/block/${basename(loopDevice)}/loop/backing_file`, 'utf8').includes('quarry-hw-')) execFileSync('losetup', ['-d', loopDevice]);
    } catch {
      // not attached any more
    }
  }
  await labDefault?.close();
  await labDiskOff?.close();
});

function ourDevnodes(): string[] {
  return [`/dev/${diskName}`, loopDevice];
}

function referenceForOurDevices(): MonitorEvent[] {
  const nodes = new Set(ourDevnodes());
  return reference.filter((event) => event['DEVNAME'] !== undefined && nodes.has(event['DEVNAME']));
}

function tableRows(lab: Lab): Row[] {
  const paths = ourDevnodes().map((path) => `'${path}'`).join(', ');
  return lab.rows(`select action, path, type, driver, vendor, vendor_id, model, model_id, serial, revision, time from hardware_events where path in (${paths}) order by eid`);
}

/** The rows osquery's rules keep from the reference events, with --hardware_disabled_types = `disabled`. */
function expectedRows(disabled: string): Array<Pick<Row, 'action' | 'path' | 'type' | 'driver'>> {
  return referenceForOurDevices()
    .filter((event) => (event['DEVTYPE'] ?? '') !== '' && !disabled.includes(event['DEVTYPE']!))
    .map((event) => ({ action: event['ACTION']!, path: event['DEVNAME']!, type: event['DEVTYPE']!, driver: event['DRIVER'] ?? driverOf(event['DEVPATH']!) }));
}

test('osquery_events: the udev publisher listens on the group that fits (kernel uevents without udevd) and hardware_events runs', () => {
  const rows = labDefault.rows("select name, type, active, status from osquery_events where publisher = 'udev' order by type");
  assert.deepEqual(rows.map((r) => [r['name'], r['type'], r['active']]), [['udev', 'publisher', 1], ['hardware_events', 'subscriber', 1]]);
  const group = udevdRuns ? 2 : 1;
  assert.match(String(rows[0]!['status']), new RegExp(`reading netlink group ${group} \\(${udevdRuns ? 'udevd events' : 'kernel uevents: udevd is not running'}`));
  assert.equal((labDefault.runtime.publisher('udev') as UdevPublisher).group, group);
});

test('every kernel event udevadm saw for our devices reached the publisher with the same action, devpath, devnode and devtype', () => {
  const ours = referenceForOurDevices();
  assert.ok(ours.some((event) => event['DEVNAME'] === `/dev/${diskName}` && event['ACTION'] === 'change'), `udevadm saw the change of ${diskName}`);
  assert.ok(ours.some((event) => event['DEVNAME'] === loopDevice && event['ACTION'] === 'change'), `udevadm saw a change of ${loopDevice}`);
  for (const lab of [labDefault, labDiskOff]) {
    const bySeq = new Map(lab.contexts.map((ctx) => [ctx.properties['SEQNUM'], ctx]));
    for (const event of ours) {
      const ctx = bySeq.get(event['SEQNUM']);
      assert.ok(ctx, `the publisher received SEQNUM ${event['SEQNUM']} (${event['ACTION']} ${event['DEVPATH']})`);
      assert.deepEqual(
        [ctx.action, ctx.devpath, ctx.subsystem, ctx.devnode, ctx.devtype, ctx.source],
        [event['ACTION'], event['DEVPATH'], event['SUBSYSTEM'], event['DEVNAME'], event['DEVTYPE'] ?? '', udevdRuns ? 'udev' : 'kernel'],
      );
    }
  }
});

test('hardware_events rows match the reference under osquery\'s rules (default --hardware_disabled_types=partition)', () => {
  const expected = expectedRows('partition');
  assert.ok(expected.length >= 2, `disk and loop events to keep: ${JSON.stringify(expected)}`);
  const rows = tableRows(labDefault);
  // Another test may reuse the loop device after this file detached it: rows past the reference window are theirs.
  assert.deepEqual(rows.slice(0, expected.length).map(({ action, path, type, driver }) => ({ action, path, type, driver })), expected);
  const now = Math.floor(Date.now() / 1000);
  for (const row of rows) assert.ok(Number(row['time']) >= startedAt && Number(row['time']) <= now, `time ${String(row['time'])} within the test`);
});

test('--hardware_disabled_types=disk drops the disk events the publisher received', () => {
  assert.deepEqual(expectedRows('disk'), [], 'every event of our devices is of type disk');
  assert.deepEqual(tableRows(labDiskOff), [], 'no rows for our disks');
  const ours = referenceForOurDevices().length;
  const drops = (labDiskOff.runtime.subscriber('hardware_events') as HardwareEventsSubscriber).dropCounts();
  assert.ok(drops.disabledType >= ours, `${ours} disk event(s) dropped as a disabled type: ${JSON.stringify(drops)}`);
  const status = String(labDiskOff.rows("select status from osquery_events where name = 'hardware_events'")[0]!['status']);
  assert.match(status, /of a type in --hardware_disabled_types="disk"/);
});

test('a device without a devtype (a PCI function) reaches the publisher, enriched from sysfs, and is no row', () => {
  assert.ok(pciDevice, 'this test needs a PCI device in /sys/bus/pci/devices');
  const devpath = readlinkSync(`/sys/bus/pci/devices/${pciDevice}`).replace(/^(\.\.\/)+/, '/');
  const ctx = labDefault.contexts.find((c) => c.devpath === devpath && c.action === 'change');
  assert.ok(ctx, `the publisher saw the change of ${devpath}`);
  const referenceEvent = reference.find((event) => event['DEVPATH'] === devpath && event['SEQNUM'] === ctx.properties['SEQNUM']);
  assert.ok(referenceEvent, 'udevadm saw the same event');
  assert.equal(ctx.subsystem, 'pci');
  assert.equal(ctx.devtype, referenceEvent['DEVTYPE'] ?? '');
  assert.equal(ctx.driver, referenceEvent['DRIVER'] ?? driverOf(devpath));
  if (!udevdRuns) {
    assert.equal(ctx.enrichment, 'sysfs');
    assert.equal(ctx.properties['ID_VENDOR_ID'], readFileSync(`/sys${devpath}/vendor`, 'utf8').trim().replace(/^0x/, ''));
    assert.equal(ctx.properties['ID_MODEL_ID'], readFileSync(`/sys${devpath}/device`, 'utf8').trim().replace(/^0x/, ''));
  }
  assert.equal(labDefault.rows(`select count(*) as n from hardware_events where type = '' or path = '' and model = ''`)[0]!['n'], 0);
  const drops = (labDefault.runtime.subscriber('hardware_events') as HardwareEventsSubscriber).dropCounts();
  assert.ok(drops.noType >= 1, `the PCI event was dropped for its missing devtype: ${JSON.stringify(drops)}`);
});

// This test broadcasts made-up device messages on udevd's netlink group. Where a udevd runs, its clients (udisks,
// the desktop, systemd) would receive them too, so it only runs where none does (CI machines, containers); the
// udevd message format is also covered by the parser test below, which sends nothing.
test('udevd-format ("libudev") messages on group 2 become rows with the hwdb names; garbage is counted and never stops it', {
  skip: udevdRuns ? `udevd runs here (${UDEV_CONTROL_PATH}): its clients would receive the made-up device messages` : false,
}, async () => {
  const lab = await openLab([], 'udev-group');
  const sender = openUeventSocket(0);
  try {
    const publisher = lab.runtime.publisher('udev') as UdevPublisher;
    assert.equal(publisher.group, 2);
    const usb = {
      ACTION: 'add', DEVPATH: `/devices/quarry-test-${process.pid}/usb1/1-1`, SUBSYSTEM: 'usb', DEVTYPE: 'usb_device',
      DEVNAME: `/dev/bus/usb/001/${String(process.pid % 1000).padStart(3, '0')}`, DRIVER: 'usb', SEQNUM: '1',
      ID_VENDOR_FROM_DATABASE: 'Quarry Test Vendor, Inc.', ID_VENDOR_ID: '1D6B', ID_VENDOR: 'ignored: not the hwdb name',
      ID_MODEL_FROM_DATABASE: '2.0 root hub', ID_MODEL_ID: '0002', ID_SERIAL_SHORT: '0000:00:14.0', ID_REVISION: '0606',
    };
    const noModelNoNode = { ACTION: 'add', DEVPATH: `/devices/quarry-test-${process.pid}/x`, SUBSYSTEM: 'usb', DEVTYPE: 'usb_interface', DRIVER: 'usbhid', SEQNUM: '2' };
    const noType = { ACTION: 'bind', DEVPATH: `/devices/quarry-test-${process.pid}/y`, SUBSYSTEM: 'usb', DEVNAME: '/dev/quarry-none', SEQNUM: '3' };
    const partition = { ACTION: 'add', DEVPATH: `/devices/quarry-test-${process.pid}/block/qt0/qt0p1`, SUBSYSTEM: 'block', DEVTYPE: 'partition', DEVNAME: '/dev/qt0p1', SEQNUM: '4' };
    const garbage = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 600 }), { numRuns: 100, seed: 20261128 }).map((bytes) => Buffer.from(bytes));
    const crafted = [
      Buffer.concat([Buffer.from('libudev\0'), Buffer.alloc(40)]), // wrong magic
      Buffer.from('change@/devices/virtual/x\0DEVPATH=/devices/virtual/x\0SUBSYSTEM=block\0'), // no ACTION
      Buffer.from('not a uevent header at all, but long enough to pass the length check'),
    ];
    const bad = [...garbage, ...crafted].filter((data) => !parseUeventDatagram(data).ok);
    for (const data of bad) sendToUeventGroup(sender.fd, 2, data);
    for (const properties of [usb, noModelNoNode, noType, partition]) sendToUeventGroup(sender.fd, 2, encodeLibudevMessage(properties));
    await eventually(() => publisher.counters().datagrams >= bad.length + 4, 'every datagram read', 10_000);
    await lab.runtime.settle();
    const counters = publisher.counters();
    assert.equal(counters.malformed, bad.length, JSON.stringify(counters));
    assert.deepEqual(lab.rows(`select action, path, type, driver, vendor, vendor_id, model, model_id, serial, revision from hardware_events where path = '${usb.DEVNAME}'`), [
      { action: 'add', path: usb.DEVNAME, type: 'usb_device', driver: 'usb', vendor: usb.ID_VENDOR_FROM_DATABASE, vendor_id: '1D6B', model: '2.0 root hub', model_id: '0002', serial: '0000:00:14.0', revision: '0606' },
    ]);
    assert.equal(lab.rows("select count(*) as n from hardware_events where vendor_id = '1d6b'")[0]!['n'], 1, 'vendor_id compares without case (nocase)');
    assert.equal(lab.rows('select count(*) as n from hardware_events')[0]!['n'], 1, 'the interface without node or model, the event without devtype and the partition are no rows');
    const drops = (lab.runtime.subscriber('hardware_events') as HardwareEventsSubscriber).dropCounts();
    assert.deepEqual([drops.noType, drops.noPathNorModel, drops.disabledType], [1, 1, 1], 'partition is disabled by default');
    const status = String(lab.rows("select status from osquery_events where name = 'udev'")[0]!['status']);
    assert.match(status, new RegExp(`${bad.length} malformed datagram\\(s\\) dropped, last: `));
    assert.equal(lab.warnings.filter((w) => /malformed uevent datagram/.test(w)).length, 1, 'warned once within a minute');
  } finally {
    closeUeventSocket(sender.fd);
    await lab.close();
  }
});

test('the parser never throws on arbitrary bytes; udev-format messages round-trip; the publisher counts what it cannot parse', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      const parsed = parseUeventDatagram(bytes);
      if (!parsed.ok) assert.ok(parsed.reason.length > 0);
    }),
    { numRuns: 2000 },
  );
  const key = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,15}$/);
  const value = fc.string({ maxLength: 40 }).filter((v) => !v.includes('\0'));
  fc.assert(
    fc.property(fc.dictionary(key, value), fc.constantFrom('add', 'remove', 'change', 'bind'), (extra, action) => {
      const properties = { ...extra, ACTION: action, DEVPATH: '/devices/virtual/block/loop9', SUBSYSTEM: 'block' };
      const parsed = parseUeventDatagram(encodeLibudevMessage(properties));
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
      assert.deepEqual({ ...parsed.event.properties }, properties);
      assert.equal(parsed.event.source, 'udev');
    }),
  );
  const publisher = new UdevPublisher({ flags: new Flags() });
  let fed = 0;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      if (parseUeventDatagram(bytes).ok) return;
      fed++;
      publisher.handleDatagram(bytes);
    }),
    { numRuns: 500 },
  );
  assert.equal(publisher.counters().malformed, fed);
});

test('with --disable_events=true the udev publisher is not set up and hardware_events is paused', async () => {
  const { flags } = Flags.parse(['--disable_events=true'], { mode: 'daemon' });
  const store = EventStore.open(tempDir('quarry-hw-off-'), { role: 'publisher' });
  const runtime = createEventRuntime(flags, {}, store);
  registerBuiltinPublishers(runtime, { flags });
  registerBuiltinSubscribers(runtime, { flags });
  await runtime.start();
  try {
    const status = runtime.status().filter((s) => s.publisher === 'udev');
    assert.deepEqual(status.map((s) => [s.name, s.active]), [['udev', 0], ['hardware_events', 0]]);
    assert.equal((runtime.publisher('udev') as UdevPublisher).group, undefined, 'no socket was opened');
  } finally {
    await runtime.stop();
    await store.close();
  }
});
