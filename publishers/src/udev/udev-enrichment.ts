/**
 * What udev would add to a kernel uevent, read cheaply from the files it leaves behind (used only when the event came
 * from the kernel's group, i.e. udevd is not running):
 *
 * 1. udev's database, /run/udev/data/<id>: its `E:KEY=VALUE` lines are the properties udevd gave the device the last
 *    time it processed it (ID_VENDOR_FROM_DATABASE, ID_MODEL_FROM_DATABASE, ID_SERIAL_SHORT, ...). The id is
 *    b<major>:<minor> for block devices, c<major>:<minor> for other devices with a node, else +<subsystem>:<sysname>.
 * 2. Otherwise sysfs: the nearest USB device at or above the device (the directory holding `idVendor`) gives
 *    ID_VENDOR_ID (idVendor), ID_MODEL_ID (idProduct), ID_VENDOR (manufacturer), ID_MODEL (product),
 *    ID_SERIAL_SHORT (serial) and ID_REVISION (bcdDevice), as udev's usb_id does; a PCI device gives ID_VENDOR_ID and
 *    ID_MODEL_ID from `vendor` and `device` without their 0x. udev's hwdb names (the *_FROM_DATABASE properties) are
 *    not derived here.
 *
 * A removed device has neither any more: its event keeps the kernel's properties only. Nothing here throws.
 */
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { UeventEnrichment } from './udev-event-context.js';

export interface EnrichmentRoots {
  /** Default /sys. */
  sysfs: string;
  /** Default /run/udev/data. */
  udevData: string;
}

export const DEFAULT_ENRICHMENT_ROOTS: EnrichmentRoots = { sysfs: '/sys', udevData: '/run/udev/data' };

const MAX_PARENT_LEVELS = 16;

function readSmall(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The udev database id of a device (see the file comment), or undefined when the event does not say enough. */
export function udevDatabaseId(properties: Readonly<Record<string, string>>): string | undefined {
  const { SUBSYSTEM: subsystem, MAJOR: major, MINOR: minor, DEVPATH: devpath } = properties;
  if (!subsystem) return undefined;
  if (major && minor && /^\d+$/.test(major) && /^\d+$/.test(minor)) return `${subsystem === 'block' ? 'b' : 'c'}${major}:${minor}`;
  if (devpath) return `+${subsystem}:${basename(devpath)}`;
  return undefined;
}

/** The E: lines of one udev database file, or undefined when there is none. */
export function readUdevDatabase(udevData: string, id: string): Record<string, string> | undefined {
  if (!existsSync(udevData)) return undefined;
  const text = readSmall(`${udevData}/${id}`);
  if (text === undefined) return undefined;
  const properties: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('E:')) continue;
    const equals = line.indexOf('=');
    if (equals > 2) properties[line.slice(2, equals)] = line.slice(equals + 1);
  }
  return properties;
}

function sysfsProperties(sysfs: string, properties: Readonly<Record<string, string>>): Record<string, string> {
  const added: Record<string, string> = {};
  const devpath = properties.DEVPATH;
  if (!devpath || devpath.includes('..')) return added;
  const device = `${sysfs}${devpath}`;
  if (properties.SUBSYSTEM === 'pci') {
    const vendor = readSmall(`${device}/vendor`);
    const model = readSmall(`${device}/device`);
    if (vendor) added.ID_VENDOR_ID = vendor.replace(/^0x/, '');
    if (model) added.ID_MODEL_ID = model.replace(/^0x/, '');
    return added;
  }
  let directory = device;
  for (let level = 0; level < MAX_PARENT_LEVELS && directory.startsWith(`${sysfs}/devices/`); level++) {
    // existsSync first: a failed read throws, and most levels hold no idVendor (a throw costs ~10 us each).
    const vendorId = existsSync(`${directory}/idVendor`) ? readSmall(`${directory}/idVendor`) : undefined;
    if (vendorId !== undefined) {
      const fields: Array<[string, string]> = [
        ['ID_VENDOR_ID', vendorId],
        ['ID_MODEL_ID', readSmall(`${directory}/idProduct`) ?? ''],
        ['ID_VENDOR', readSmall(`${directory}/manufacturer`) ?? ''],
        ['ID_MODEL', readSmall(`${directory}/product`) ?? ''],
        ['ID_SERIAL_SHORT', readSmall(`${directory}/serial`) ?? ''],
        ['ID_REVISION', readSmall(`${directory}/bcdDevice`) ?? ''],
      ];
      for (const [key, value] of fields) if (value !== '') added[key] = value;
      break;
    }
    directory = dirname(directory);
  }
  return added;
}

/** The name the device's sysfs `driver` link points to ('' without one), as libudev reports when DRIVER is absent. */
export function sysfsDriver(sysfs: string, devpath: string): string {
  if (!devpath || devpath.includes('..')) return '';
  try {
    return basename(readlinkSync(`${sysfs}${devpath}/driver`));
  } catch {
    return '';
  }
}

/** Properties udev would have added to a kernel event, and where they came from. The event's own values win. */
export function enrichKernelEvent(
  properties: Readonly<Record<string, string>>,
  roots: EnrichmentRoots = DEFAULT_ENRICHMENT_ROOTS,
): { properties: Record<string, string>; enrichment: UeventEnrichment } {
  const id = udevDatabaseId(properties);
  const database = id === undefined ? undefined : readUdevDatabase(roots.udevData, id);
  if (database && Object.keys(database).length > 0) return { properties: { ...database, ...properties }, enrichment: 'udev-database' };
  if (properties.ACTION === 'remove') return { properties: { ...properties }, enrichment: 'none' };
  const fromSysfs = sysfsProperties(roots.sysfs, properties);
  if (Object.keys(fromSysfs).length === 0) return { properties: { ...properties }, enrichment: 'none' };
  return { properties: { ...fromSysfs, ...properties }, enrichment: 'sysfs' };
}
