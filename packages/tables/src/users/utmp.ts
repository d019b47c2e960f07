/**
 * utmp / wtmp records as glibc writes them on Linux (struct utmp, 384 bytes, little-endian on x86_64 and arm64):
 * type @0 (short), pid @4, line @8 (32), id @40 (4), user @44 (32), host @76 (256), exit @332, session @336,
 * tv_sec @340, tv_usec @344, addr_v6 @348 (16), reserved @364 (20).
 */
import { readBytes } from '../system/host-files.js';

export const UTMP_RECORD_SIZE = 384;

export interface UtmpRecord {
  readonly type: number;
  readonly pid: number;
  readonly line: string;
  readonly id: string;
  readonly user: string;
  readonly host: string;
  readonly time: number;
}

/** ut_type names as osquery prints them. */
export const UTMP_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'empty'], [1, 'runlevel'], [2, 'boot_time'], [3, 'new_time'], [4, 'old_time'], [5, 'init'],
  [6, 'login'], [7, 'user'], [8, 'dead'], [9, 'accounting'],
]);

/** A NUL-padded fixed-width C string field. */
function cString(buffer: Buffer, offset: number, length: number): string {
  const field = buffer.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

/** Every whole record of a utmp-format file; empty when the file is missing or unreadable. */
export function readUtmpFile(path: string): UtmpRecord[] {
  const data = readBytes(path);
  if (data === undefined) return [];
  const records: UtmpRecord[] = [];
  for (let offset = 0; offset + UTMP_RECORD_SIZE <= data.length; offset += UTMP_RECORD_SIZE) {
    records.push({
      type: data.readInt16LE(offset),
      pid: data.readInt32LE(offset + 4),
      line: cString(data, offset + 8, 32),
      id: cString(data, offset + 40, 4),
      user: cString(data, offset + 44, 32),
      host: cString(data, offset + 76, 256),
      time: data.readInt32LE(offset + 340),
    });
  }
  return records;
}
