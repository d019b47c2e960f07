/**
 * SMBIOS data as the kernel decodes it under /sys/class/dmi/id (types 0, 1 and 2), plus the raw type 0 structure
 * from /sys/firmware/dmi/tables/DMI for the BIOS address and ROM size. Root is needed for serials and the raw table.
 */
import { readBytes, readText } from './host-files.js';

const DMI_ID = '/sys/class/dmi/id';
const DMI_TABLE = '/sys/firmware/dmi/tables/DMI';

/** A /sys/class/dmi/id attribute, trimmed; '' when missing or unreadable. */
export function dmiAttribute(name: string): string {
  return (readText(`${DMI_ID}/${name}`) ?? '').trim();
}

/** True when the kernel exposes any DMI data. */
export function dmiAvailable(): boolean {
  return readText(`${DMI_ID}/bios_vendor`) !== undefined || readText(`${DMI_ID}/sys_vendor`) !== undefined;
}

export interface BiosRomInfo {
  /** The BIOS starting address segment, e.g. "0xf0000". */
  readonly address: string;
  /** The ROM size in bytes, as text. */
  readonly size: string;
}

/** The SMBIOS type 0 (BIOS information) structure's address and ROM size, when the raw table is readable. */
export function biosRomInfo(): BiosRomInfo | undefined {
  const table = readBytes(DMI_TABLE);
  if (table === undefined) return undefined;
  let offset = 0;
  while (offset + 4 <= table.length) {
    const type = table[offset]!;
    const length = table[offset + 1]!;
    if (length < 4 || offset + length > table.length) return undefined;
    if (type === 0 && length >= 0x0a) {
      const segment = table.readUInt16LE(offset + 6);
      const romSize = table[offset + 9]!;
      return { address: `0x${(segment << 4).toString(16)}`, size: String((romSize + 1) * 65536) };
    }
    if (type === 127) return undefined;
    // Skip the formatted area, then the string set, which ends with two NUL bytes.
    let next = offset + length;
    while (next + 1 < table.length && !(table[next] === 0 && table[next + 1] === 0)) next += 1;
    offset = next + 2;
  }
  return undefined;
}
