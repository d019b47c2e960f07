import type { TableDefinition } from '@quarry/sql';
import { authorized_keys } from './authorized_keys.js';
import { block_devices } from './block_devices.js';
import { crontab } from './crontab.js';
import { extended_attributes } from './extended-attributes.js';
import { file } from './file.js';
import { createHashTable, hash, type HashTableOptions } from './hash.js';
import { kernel_modules } from './kernel_modules.js';
import { known_hosts } from './known_hosts.js';
import { createMagicTable, magic } from './magic.js';
import { pci_devices } from './pci_devices.js';
import { createSudoersTable, sudoers } from './sudoers.js';
import { suid_bin } from './suid_bin.js';
import { system_controls } from './system_controls.js';
import { usb_devices } from './usb_devices.js';
import { user_ssh_keys } from './user_ssh_keys.js';

export {
  authorized_keys,
  block_devices,
  createHashTable,
  createMagicTable,
  createSudoersTable,
  crontab,
  extended_attributes,
  file,
  hash,
  kernel_modules,
  known_hosts,
  magic,
  pci_devices,
  sudoers,
  suid_bin,
  system_controls,
  usb_devices,
  user_ssh_keys,
};
export type { HashTableOptions };

/** File, key, kernel and device tables, with `hash` built from `options` (osquery's --read_max, --hash_cache_max). */
export function createFilesTables(options: HashTableOptions = {}): TableDefinition[] {
  return [
    file,
    createHashTable(options),
    crontab,
    authorized_keys,
    known_hosts,
    user_ssh_keys,
    sudoers,
    suid_bin,
    system_controls,
    kernel_modules,
    block_devices,
    pci_devices,
    usb_devices,
    createMagicTable(),
    extended_attributes,
  ];
}
