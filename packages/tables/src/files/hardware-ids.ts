/**
 * pci.ids / usb.ids name lookups (the files udev's hwdb is built from). Parsed once per query; when
 * no ids file is installed every lookup answers ''.
 */
import { readLines } from '../system/host-files.js';

export const PCI_IDS_PATHS = ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids', '/usr/share/pci.ids'];
export const USB_IDS_PATHS = ['/usr/share/misc/usb.ids', '/usr/share/hwdata/usb.ids', '/var/lib/usbutils/usb.ids', '/usr/share/usb.ids'];

export interface HardwareIds {
  vendor(vendorId: string): string;
  device(vendorId: string, deviceId: string): string;
  subsystem(vendorId: string, deviceId: string, subVendorId: string, subDeviceId: string): string;
  className(classId: string): string;
  subclassName(classId: string, subclassId: string): string;
}

/** Parses an ids file: vendors with tab-indented devices and double-tab subsystems, then "C" class blocks. */
export function loadHardwareIds(candidates: readonly string[]): HardwareIds {
  const names = new Map<string, string>();
  let lines: string[] = [];
  for (const path of candidates) {
    lines = readLines(path);
    if (lines.length > 0) break;
  }
  let vendor = '';
  let device = '';
  let inClasses = false;
  for (const line of lines) {
    if (line === '' || line.startsWith('#')) continue;
    if (!line.startsWith('\t')) {
      const classMatch = /^C ([0-9a-f]{2})\s+(.*)$/i.exec(line);
      if (classMatch) {
        inClasses = true;
        vendor = classMatch[1]!.toLowerCase();
        names.set(`class:${vendor}`, classMatch[2]!);
        continue;
      }
      const vendorMatch = /^([0-9a-f]{4})\s+(.*)$/i.exec(line);
      inClasses = false;
      if (vendorMatch) {
        vendor = vendorMatch[1]!.toLowerCase();
        names.set(`v:${vendor}`, vendorMatch[2]!);
      } else vendor = '';
      continue;
    }
    if (!vendor) continue;
    const level2 = /^\t\t([0-9a-f]{4}) ([0-9a-f]{4})\s+(.*)$/i.exec(line);
    if (level2 && !inClasses) {
      names.set(`s:${vendor}:${device}:${level2[1]!.toLowerCase()}:${level2[2]!.toLowerCase()}`, level2[3]!);
      continue;
    }
    const level1 = /^\t([0-9a-f]{2,4})\s+(.*)$/i.exec(line);
    if (level1) {
      device = level1[1]!.toLowerCase();
      names.set(inClasses ? `class:${vendor}:${device}` : `d:${vendor}:${device}`, level1[2]!);
    }
  }
  const get = (key: string) => names.get(key.toLowerCase()) ?? '';
  return {
    vendor: (v) => get(`v:${v}`),
    device: (v, d) => get(`d:${v}:${d}`),
    subsystem: (v, d, sv, sd) => get(`s:${v}:${d}:${sv}:${sd}`),
    className: (c) => get(`class:${c}`),
    subclassName: (c, s) => get(`class:${c}:${s}`),
  };
}
