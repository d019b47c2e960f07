/**
 * What osquery's user_ssh_keys reports about a private key file: whether it is encrypted, the OpenSSL
 * key family (rsa, dsa, dh, ec, or '' for others such as ed25519), the group (curve) name, the size
 * in bits and the security strength in bits. PEM keys are parsed with Node's crypto (OpenSSL);
 * openssh-key-v1 files are read from their header and public key blob.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';

export interface PrivateKeyInfo {
  readonly encrypted: number;
  readonly keyType: string;
  readonly groupName: string;
  readonly length: number | null;
  readonly securityBits: number | null;
}

/** OpenSSL's security strength of an RSA/DSA/DH modulus (SP 800-56B's figures and formula). */
export function finiteFieldSecurityBits(bits: number): number {
  const known: Record<number, number> = { 2048: 112, 3072: 128, 4096: 152, 6144: 176, 7680: 192, 8192: 200, 15360: 256 };
  if (known[bits] !== undefined) return known[bits]!;
  if (bits < 8) return 0;
  const ln = bits * Math.LN2;
  const strength = (1.923 * Math.cbrt(ln * Math.log(ln) ** 2) - 4.69) / Math.LN2;
  const rounded = Math.floor((strength + 4) / 8) * 8;
  return Math.min(rounded, bits <= 7680 ? 192 : 256, bits >= 687737 ? 1200 : Infinity);
}

const CURVE_BITS: Readonly<Record<string, number>> = { prime256v1: 256, secp384r1: 384, secp521r1: 521, secp256k1: 256, 'P-256': 256, 'P-384': 384, 'P-521': 521 };
const CURVE_NAMES: Readonly<Record<string, string>> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1', nistp256: 'prime256v1', nistp384: 'secp384r1', nistp521: 'secp521r1' };

function describeKeyObject(key: KeyObject): PrivateKeyInfo {
  const type: string = key.asymmetricKeyType ?? '';
  const details = key.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'rsa':
    case 'rsa-pss':
    case 'dsa':
    case 'dh': {
      const length = details.modulusLength ?? null;
      return { encrypted: 0, keyType: type === 'rsa-pss' ? 'rsa' : type, groupName: '', length, securityBits: length === null ? null : finiteFieldSecurityBits(length) };
    }
    case 'ec': {
      const curve = details.namedCurve ?? '';
      const name = CURVE_NAMES[curve] ?? curve;
      const length = CURVE_BITS[curve] ?? null;
      return { encrypted: 0, keyType: 'ec', groupName: name, length, securityBits: length === null ? null : Math.floor(length / 2) };
    }
    case 'ed25519':
      return { encrypted: 0, keyType: '', groupName: '', length: 253, securityBits: 128 };
    case 'ed448':
      return { encrypted: 0, keyType: '', groupName: '', length: 456, securityBits: 224 };
    default:
      return { encrypted: 0, keyType: '', groupName: '', length: null, securityBits: null };
  }
}

class BlobReader {
  private offset = 0;
  constructor(private readonly data: Buffer) {}
  uint32(): number {
    if (this.offset + 4 > this.data.length) throw new Error('truncated openssh key');
    const value = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  bytes(): Buffer {
    const length = this.uint32();
    if (this.offset + length > this.data.length) throw new Error('truncated openssh key');
    const value = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  text(): string {
    return this.bytes().toString('latin1');
  }
}

/** Bits in a big-endian mpint (leading zero bytes ignored). */
function mpintBits(value: Buffer): number {
  let index = 0;
  while (index < value.length && value[index] === 0) index += 1;
  if (index === value.length) return 0;
  return (value.length - index - 1) * 8 + (32 - Math.clz32(value[index]!));
}

function describeOpenSshKey(body: string): PrivateKeyInfo | null {
  const data = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  const magic = Buffer.from('openssh-key-v1\0', 'latin1');
  if (data.length < magic.length || !data.subarray(0, magic.length).equals(magic)) return null;
  const reader = new BlobReader(data.subarray(magic.length));
  const cipher = reader.text();
  reader.text(); // kdf name
  reader.bytes(); // kdf options
  if (reader.uint32() < 1) return null;
  const publicKey = new BlobReader(reader.bytes());
  const algorithm = publicKey.text();
  const encrypted = cipher === 'none' ? 0 : 1;
  if (algorithm === 'ssh-rsa') {
    publicKey.bytes(); // e
    const bits = mpintBits(publicKey.bytes());
    return { encrypted, keyType: 'rsa', groupName: '', length: bits, securityBits: finiteFieldSecurityBits(bits) };
  }
  if (algorithm === 'ssh-dss') {
    const bits = mpintBits(publicKey.bytes());
    return { encrypted, keyType: 'dsa', groupName: '', length: bits, securityBits: finiteFieldSecurityBits(bits) };
  }
  if (algorithm.startsWith('ecdsa-sha2-')) {
    const curve = publicKey.text();
    const bits = CURVE_BITS[CURVE_NAMES[curve] ?? curve] ?? null;
    return { encrypted, keyType: 'ec', groupName: CURVE_NAMES[curve] ?? curve, length: bits, securityBits: bits === null ? null : Math.floor(bits / 2) };
  }
  if (algorithm === 'ssh-ed25519') return { encrypted, keyType: '', groupName: '', length: 253, securityBits: 128 };
  return { encrypted, keyType: '', groupName: '', length: null, securityBits: null };
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/** The key's description, or null when the text is not a private key. */
export function describePrivateKey(text: string): PrivateKeyInfo | null {
  const block = PEM_BLOCK.exec(text);
  if (!block) return null;
  const label = block[1]!;
  if (label === 'OPENSSH PRIVATE KEY') {
    try {
      return describeOpenSshKey(block[2]!);
    } catch {
      return null;
    }
  }
  if (!label.endsWith('PRIVATE KEY')) return null;
  if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(block[2]!)) {
    return { encrypted: 1, keyType: '', groupName: '', length: null, securityBits: null };
  }
  try {
    return describeKeyObject(createPrivateKey({ key: block[0], format: 'pem' }));
  } catch {
    return null;
  }
}
