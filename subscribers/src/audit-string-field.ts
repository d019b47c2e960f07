/**
 * String fields of LSM and seccomp audit records as users want to read them. The kernel logs a value it does not
 * trust (comm, exe, name, profile, ...) in double quotes, or as hex when it holds a space, a quote or a control or
 * non-ASCII byte; other string values are quoted by their format. The publisher hands fields over as logged (it
 * decodes only `exe`), and subscribers may not load node-audit, hence this small decoder.
 */

/** Strips the double quotes around a value; leaves any other value as logged (osquery's treatment). */
export function unquoted(value: string | undefined): string {
  if (value === undefined) return '';
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1);
  return value;
}

/**
 * Decodes a value logged with audit_log_untrustedstring: quoted → the text inside; unquoted hex → its bytes as UTF-8
 * ("(null)" and other non-hex values stay as logged).
 */
export function untrustedString(value: string | undefined): string {
  if (value === undefined) return '';
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1);
  if (value.length > 0 && value.length % 2 === 0 && /^[0-9A-Fa-f]+$/.test(value)) return Buffer.from(value, 'hex').toString('utf8');
  return value;
}

/** A hex field (with or without 0x, as the kernel logs arch and code) as an unsigned number, or undefined. */
export function hexField(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const digits = value.startsWith('0x') || value.startsWith('0X') ? value.slice(2) : value;
  if (digits.length === 0 || digits.length > 8 || !/^[0-9A-Fa-f]+$/.test(digits)) return undefined;
  return Number.parseInt(digits, 16);
}
