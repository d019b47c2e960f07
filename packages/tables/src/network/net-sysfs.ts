/** Readers for /sys/class/net/<interface>/, shared by the interface tables. */
import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readAttribute } from '../system/host-files.js';

export const SYS_CLASS_NET = '/sys/class/net';
export const IFF_BROADCAST = 0x2;
const IFF_RUNNING = 0x40;
const IFF_LOWER_UP = 0x10000;
const IFF_DORMANT = 0x20000;

/** An integer attribute (decimal or 0x-hex), or null. */
export function numericAttribute(dir: string, name: string): number | null {
  const text = readAttribute(dir, name);
  if (text === undefined || text === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/**
 * The flags getifaddrs reports: the device flags in sysfs plus the operational bits the kernel adds
 * (RUNNING when operationally up or unknown, LOWER_UP with carrier, DORMANT when dormant).
 */
export function interfaceFlags(name: string): number {
  const dir = join(SYS_CLASS_NET, name);
  let flags = numericAttribute(dir, 'flags') ?? 0;
  const operstate = readAttribute(dir, 'operstate');
  if ((flags & 0x1) !== 0) {
    if (operstate === 'up' || operstate === 'unknown') flags |= IFF_RUNNING;
    if (numericAttribute(dir, 'carrier') === 1) flags |= IFF_LOWER_UP;
    if (operstate === 'dormant') flags |= IFF_DORMANT;
  }
  return flags;
}

/** The PCI address behind an interface (ethtool's bus_info), or "-1". */
export function pciSlotOf(name: string): string {
  try {
    let device = realpathSync(join(SYS_CLASS_NET, name, 'device'));
    for (let hops = 0; hops < 2; hops += 1) {
      const subsystem = basename(realpathSync(join(device, 'subsystem')));
      if (subsystem === 'pci') return basename(device);
      device = dirname(device);
    }
  } catch {
    // virtual interfaces have no device
  }
  return '-1';
}
