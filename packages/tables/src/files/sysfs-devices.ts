/** Readers for sysfs devices and the udev database, shared by the device tables. */
import { basename, join } from 'node:path';
import { readlinkSync } from 'node:fs';
import { readLines, readText } from '../system/host-files.js';

/** KEY=value lines of a sysfs `uevent` file. */
export function readUevent(deviceDir: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of readLines(join(deviceDir, 'uevent'))) {
    const equals = line.indexOf('=');
    if (equals > 0) values.set(line.slice(0, equals), line.slice(equals + 1));
  }
  return values;
}

/** The E: properties udev recorded for a device ("b" block / "c" char + major:minor), empty without udev. */
export function readUdevProperties(kind: 'b' | 'c', major: string, minor: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of readLines(`/run/udev/data/${kind}${major}:${minor}`)) {
    if (!line.startsWith('E:')) continue;
    const equals = line.indexOf('=');
    if (equals > 2) values.set(line.slice(2, equals), line.slice(equals + 1));
  }
  return values;
}

/** The last component of a sysfs symlink (a driver or subsystem name), or ''. */
export function linkName(path: string): string {
  try {
    return basename(readlinkSync(path));
  } catch {
    return '';
  }
}

/** A trimmed sysfs attribute or ''. */
export function attribute(dir: string, name: string): string {
  return readText(join(dir, name))?.trim() ?? '';
}
