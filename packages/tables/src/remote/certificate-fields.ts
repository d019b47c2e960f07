/**
 * curl_certificate's columns from a DER certificate, in the text OpenSSL prints (osquery uses X509V3_EXT_print and
 * ASN1_TIME_print, and replaces newlines with ';'). Node's X509Certificate gives names, dates, fingerprints, SANs and
 * info access; a small DER walk gives version, signature and the key-id/usage/constraint extensions.
 */
import { X509Certificate } from 'node:crypto';
import type { Row } from '@quarry/sql';
import { colonHex, derChildren, derOid, type DerNode } from './der-reader.js';

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'RSA-SHA1',
  '1.2.840.113549.1.1.11': 'RSA-SHA256',
  '1.2.840.113549.1.1.12': 'RSA-SHA384',
  '1.2.840.113549.1.1.13': 'RSA-SHA512',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

const EXTENDED_KEY_USAGES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'TLS Web Server Authentication',
  '1.3.6.1.5.5.7.3.2': 'TLS Web Client Authentication',
  '1.3.6.1.5.5.7.3.3': 'Code Signing',
  '1.3.6.1.5.5.7.3.4': 'E-mail Protection',
  '1.3.6.1.5.5.7.3.8': 'Time Stamping',
  '1.3.6.1.5.5.7.3.9': 'OCSP Signing',
  '2.5.29.37.0': 'Any Extended Key Usage',
};

const KEY_USAGE_BITS = [
  'Digital Signature', 'Non Repudiation', 'Key Encipherment', 'Data Encipherment', 'Key Agreement',
  'Certificate Sign', 'CRL Sign', 'Encipher Only', 'Decipher Only',
];

const EXT = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  extendedKeyUsage: '2.5.29.37',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

const UNPRINTED: Record<string, string> = {
  policies: '2.5.29.32',
  issuer_alternative_names: '2.5.29.18',
  subject_info_access: '1.3.6.1.5.5.7.1.11',
  policy_mappings: '2.5.29.33',
  name_constraints: '2.5.29.30',
  policy_constraints: '2.5.29.36',
};

/** The first value of a name attribute ('CN', 'O', 'OU') in Node's subject/issuer text (one `key=value` a line). */
function nameAttribute(name: string, key: string): string | undefined {
  for (const line of name.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0 && line.slice(0, at) === key) return line.slice(at + 1);
  }
  return undefined;
}

function plainHex(fingerprint: string): string {
  return fingerprint.replace(/:/g, '').toLowerCase();
}

function extensionsOf(tbs: DerNode[]): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  const wrapper = tbs.find((node) => node.tag === 0xa3);
  if (!wrapper) return found;
  const [list] = derChildren(wrapper.content);
  for (const extension of derChildren(list?.content ?? new Uint8Array())) {
    const parts = derChildren(extension.content);
    const oid = derOid(parts[0]!.content);
    const value = parts[parts.length - 1]!; // OCTET STRING after the optional critical BOOLEAN
    found.set(oid, value.content);
  }
  return found;
}

function keyUsageText(value: Uint8Array): string {
  const [bits] = derChildren(value);
  if (!bits || bits.content.length < 2) return '';
  const names: string[] = [];
  for (let bit = 0; bit < KEY_USAGE_BITS.length; bit++) {
    const byte = bits.content[1 + (bit >> 3)];
    if (byte !== undefined && byte & (0x80 >> (bit & 7))) names.push(KEY_USAGE_BITS[bit]!);
  }
  return names.join(', ');
}

function basicConstraintsText(value: Uint8Array): string {
  const [sequence] = derChildren(value);
  const fields = derChildren(sequence?.content ?? new Uint8Array());
  const ca = fields.find((node) => node.tag === 0x01);
  const pathLength = fields.find((node) => node.tag === 0x02);
  let text = `CA:${ca && ca.content[0] ? 'TRUE' : 'FALSE'}`;
  if (pathLength) text += `, pathlen:${[...pathLength.content].reduce((sum, byte) => sum * 256 + byte, 0)}`;
  return text;
}

function extendedKeyUsageText(value: Uint8Array): string {
  const [sequence] = derChildren(value);
  return derChildren(sequence?.content ?? new Uint8Array())
    .map((node) => EXTENDED_KEY_USAGES[derOid(node.content)] ?? derOid(node.content))
    .join(', ');
}

function authorityKeyIdText(value: Uint8Array): string {
  const [sequence] = derChildren(value);
  const keyId = derChildren(sequence?.content ?? new Uint8Array()).find((node) => node.tag === 0x80);
  return keyId ? colonHex(keyId.content, true) : '';
}

export function certificateColumns(der: Uint8Array, withPem: boolean, now = Date.now()): Row {
  const certificate = new X509Certificate(der);
  const [outer] = derChildren(der);
  const [tbsNode, algorithmNode, signatureNode] = derChildren(outer!.content);
  const tbs = derChildren(tbsNode!.content);
  const versionNode = tbs[0]!.tag === 0xa0 ? derChildren(tbs[0]!.content)[0] : undefined;
  const version = versionNode ? versionNode.content[0]! + 1 : 1;
  const algorithmOid = derOid(derChildren(algorithmNode!.content)[0]!.content);
  const extensions = extensionsOf(tbs);
  const subjectKeyId = extensions.get(EXT.subjectKeyIdentifier);
  const text = (oid: string, print: (value: Uint8Array) => string): string => {
    const value = extensions.get(oid);
    return value ? print(value) : '';
  };
  return {
    common_name: nameAttribute(certificate.subject, 'CN'),
    organization: nameAttribute(certificate.subject, 'O'),
    organization_unit: nameAttribute(certificate.subject, 'OU'),
    serial_number: certificate.serialNumber.toUpperCase(),
    issuer_common_name: nameAttribute(certificate.issuer, 'CN'),
    issuer_organization: nameAttribute(certificate.issuer, 'O'),
    issuer_organization_unit: nameAttribute(certificate.issuer, 'OU'),
    valid_from: certificate.validFrom,
    valid_to: certificate.validTo,
    sha256_fingerprint: plainHex(certificate.fingerprint256),
    sha1_fingerprint: plainHex(certificate.fingerprint),
    version,
    signature_algorithm: SIGNATURE_ALGORITHMS[algorithmOid] ?? algorithmOid,
    // A BIT STRING: the first content byte counts unused bits.
    signature: colonHex(signatureNode!.content.subarray(1), false),
    subject_key_identifier: subjectKeyId ? colonHex(derChildren(subjectKeyId)[0]!.content, true) : '',
    authority_key_identifier: text(EXT.authorityKeyIdentifier, authorityKeyIdText),
    key_usage: text(EXT.keyUsage, keyUsageText),
    extended_key_usage: text(EXT.extendedKeyUsage, extendedKeyUsageText),
    subject_alternative_names: certificate.subjectAltName ?? '',
    info_access: (certificate.infoAccess ?? '').replace(/\n$/, '').replace(/\n/g, ';'),
    has_expired: new Date(certificate.validTo).getTime() <= now ? 1 : 0,
    basic_constraint: text(EXT.basicConstraints, basicConstraintsText),
    // Extensions Quarry does not print yet: '' when absent (as osquery), NULL when present.
    ...Object.fromEntries(Object.entries(UNPRINTED).map(([column, oid]) => [column, extensions.has(oid) ? null : ''])),
    ...(withPem ? { pem: certificate.toString() } : {}),
  };
}
