/**
 * Parses one datagram of a NETLINK_KOBJECT_UEVENT socket, in either of its two formats (facts from the kernel's
 * lib/kobject_uevent.c and systemd's device monitor; no code carried over):
 *
 * - kernel (group 1): "ACTION@DEVPATH\0" then NUL-terminated KEY=VALUE strings (ACTION, DEVPATH, SUBSYSTEM, SEQNUM,
 *   DEVNAME, DEVTYPE, DRIVER, MAJOR, MINOR, ...). The header is at least 4 characters, holds "@/" and is not the
 *   whole datagram.
 * - udevd (group 2): a 40-byte header — prefix "libudev\0" (8 bytes), magic 0xfeedcafe (big-endian), header_size,
 *   properties_off, properties_len (host order, little-endian here), then four filter hashes — and the properties
 *   as NUL-terminated KEY=VALUE strings at properties_off.
 *
 * A datagram is malformed when it is shorter than 32 bytes, its header does not fit those rules, a property holds no
 * '=' or is not UTF-8, or ACTION, DEVPATH or SUBSYSTEM is missing. Parsing never throws: it returns the reason.
 */
import type { UeventSource } from './udev-event-context.js';

export const LIBUDEV_PREFIX = 'libudev\0';
export const LIBUDEV_MAGIC = 0xfeedcafe;
export const LIBUDEV_HEADER_BYTES = 40;
/** Neither libudev nor the kernel sends less (systemd drops shorter datagrams too). */
export const UEVENT_MIN_BYTES = 32;

export interface ParsedUevent {
  source: UeventSource;
  /** Every KEY=VALUE of the message, in order (a repeated key keeps its last value). */
  properties: Record<string, string>;
}

export type UeventParse = { ok: true; event: ParsedUevent } | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fail(reason: string): UeventParse {
  return { ok: false, reason };
}

/** Splits NUL-terminated KEY=VALUE strings (a missing final NUL is tolerated). */
function parseProperties(bytes: Uint8Array): { properties: Record<string, string> } | { reason: string } {
  const properties: Record<string, string> = Object.create(null) as Record<string, string>;
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0, start);
    if (end < 0) end = bytes.length;
    if (end > start) {
      let text: string;
      try {
        text = utf8.decode(bytes.subarray(start, end));
      } catch {
        return { reason: `property at byte ${start} is not UTF-8` };
      }
      const equals = text.indexOf('=');
      if (equals <= 0) return { reason: `property ${JSON.stringify(text.slice(0, 60))} is not KEY=VALUE` };
      properties[text.slice(0, equals)] = text.slice(equals + 1);
    }
    start = end + 1;
  }
  return { properties };
}

function isLibudev(data: Uint8Array): boolean {
  for (let i = 0; i < LIBUDEV_PREFIX.length; i++) if (data[i] !== LIBUDEV_PREFIX.charCodeAt(i)) return false;
  return true;
}

export function parseUeventDatagram(data: Uint8Array): UeventParse {
  if (data.length < UEVENT_MIN_BYTES) return fail(`${data.length} byte(s), shorter than any uevent (${UEVENT_MIN_BYTES})`);
  let source: UeventSource;
  let body: Uint8Array;
  if (isLibudev(data)) {
    if (data.length < LIBUDEV_HEADER_BYTES) return fail(`libudev message of ${data.length} bytes, shorter than its ${LIBUDEV_HEADER_BYTES}-byte header`);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const magic = view.getUint32(8, false);
    if (magic !== LIBUDEV_MAGIC) return fail(`libudev message with magic 0x${magic.toString(16)} instead of 0x${LIBUDEV_MAGIC.toString(16)}`);
    const offset = view.getUint32(16, true);
    const length = view.getUint32(20, true);
    if (offset < LIBUDEV_HEADER_BYTES || offset > data.length) return fail(`libudev properties offset ${offset} is outside the ${data.length}-byte message`);
    const end = Math.min(data.length, offset + length);
    source = 'udev';
    body = data.subarray(offset, end);
  } else {
    const headerEnd = data.indexOf(0);
    if (headerEnd < 0) return fail('kernel uevent without a NUL-terminated "action@devpath" header');
    if (headerEnd + 1 < 5 || headerEnd + 1 >= data.length) return fail(`kernel uevent header of ${headerEnd} byte(s) leaves no room for properties`);
    let header: string;
    try {
      header = utf8.decode(data.subarray(0, headerEnd));
    } catch {
      return fail('kernel uevent header is not UTF-8');
    }
    if (!header.includes('@/')) return fail(`kernel uevent header ${JSON.stringify(header.slice(0, 60))} is not "action@devpath"`);
    source = 'kernel';
    body = data.subarray(headerEnd + 1);
  }
  const parsed = parseProperties(body);
  if ('reason' in parsed) return fail(parsed.reason);
  for (const key of ['ACTION', 'DEVPATH', 'SUBSYSTEM']) {
    if (!parsed.properties[key]) return fail(`${source === 'udev' ? 'libudev message' : 'kernel uevent'} without ${key}`);
  }
  return { ok: true, event: { source, properties: parsed.properties } };
}

/** Builds a libudev-format datagram from properties (tests, and anyone replaying events to a monitor). */
export function encodeLibudevMessage(properties: Readonly<Record<string, string>>): Buffer {
  const body = Buffer.from(Object.entries(properties).map(([key, value]) => `${key}=${value}\0`).join(''), 'utf8');
  const header = Buffer.alloc(LIBUDEV_HEADER_BYTES);
  header.write(LIBUDEV_PREFIX, 0, 'latin1');
  header.writeUInt32BE(LIBUDEV_MAGIC, 8);
  header.writeUInt32LE(LIBUDEV_HEADER_BYTES, 12);
  header.writeUInt32LE(LIBUDEV_HEADER_BYTES, 16);
  header.writeUInt32LE(body.length, 20);
  return Buffer.concat([header, body]);
}
