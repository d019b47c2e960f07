/** A minimal DER reader: enough of X.509 for curl_certificate's version, signature and extension columns. */

export interface DerNode {
  /** The identifier octet (class, constructed bit, tag number < 31). */
  readonly tag: number;
  readonly content: Uint8Array;
}

/** The elements one after another in `bytes` (a SEQUENCE's content, or a whole certificate). */
export function derChildren(bytes: Uint8Array): DerNode[] {
  const nodes: DerNode[] = [];
  let at = 0;
  while (at < bytes.length) {
    const tag = bytes[at++]!;
    if ((tag & 0x1f) === 0x1f) throw new Error('DER: multi-byte tags are not supported');
    let length = bytes[at++];
    if (length === undefined) throw new Error('DER: truncated length');
    if (length & 0x80) {
      const octets = length & 0x7f;
      if (octets === 0 || octets > 4) throw new Error('DER: unsupported length');
      length = 0;
      for (let i = 0; i < octets; i++) length = length * 256 + bytes[at++]!;
    }
    if (at + length > bytes.length) throw new Error('DER: element runs past its container');
    nodes.push({ tag, content: bytes.subarray(at, at + length) });
    at += length;
  }
  return nodes;
}

export function derOid(content: Uint8Array): string {
  const parts: number[] = [];
  let value = 0;
  for (let i = 0; i < content.length; i++) {
    value = value * 128 + (content[i]! & 0x7f);
    if (!(content[i]! & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

export function colonHex(bytes: Uint8Array, upper: boolean): string {
  const text = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
  return upper ? text.toUpperCase() : text;
}
