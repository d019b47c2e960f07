/**
 * The host UUID: the DMI product UUID (root only) when it is set, else one derived from /etc/machine-id, which is
 * stable across reboots. osquery generates and stores a random UUID in its database in that second case.
 */
import { dmiAttribute } from './dmi.js';
import { readText } from './host-files.js';

const PLACEHOLDERS = new Set(['', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '03000200-0400-0500-0006-000700080009']);

export function hostUuid(): string {
  const product = dmiAttribute('product_uuid').toUpperCase();
  if (!PLACEHOLDERS.has(product.toLowerCase())) return product;
  const machineId = (readText('/etc/machine-id') ?? '').trim();
  if (/^[0-9a-f]{32}$/i.test(machineId)) {
    const hex = machineId.toUpperCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return '';
}
