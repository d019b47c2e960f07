import { existsSync } from 'node:fs';
import type { TableDefinition } from '@quarry/sql';
import { biosRomInfo, dmiAttribute, dmiAvailable } from './dmi.js';

/** BIOS / UEFI firmware information from SMBIOS type 0. No row when the host exposes no DMI data. */
export const platformInfo: TableDefinition = {
  name: 'platform_info',
  description: 'Information about EFI/UEFI/ROM and platform/boot.',
  columns: [
    { name: 'vendor', type: 'TEXT', description: 'Platform code vendor' },
    { name: 'version', type: 'TEXT', collate: 'version', description: 'Platform code version' },
    { name: 'date', type: 'TEXT', description: 'Self-reported platform code update date' },
    { name: 'revision', type: 'TEXT', description: 'BIOS major and minor revision' },
    { name: 'extra', type: 'TEXT', description: 'Platform-specific additional information' },
    { name: 'firmware_type', type: 'TEXT', description: 'The type of firmware (uefi, bios, iboot, openfirmware, unknown).' },
    { name: 'address', type: 'TEXT', description: 'Relative address of firmware mapping' },
    { name: 'size', type: 'TEXT', description: 'Size in bytes of firmware' },
    { name: 'volume_size', type: 'INTEGER', description: '(Optional) size of firmware volume' },
  ],
  *generate() {
    if (!dmiAvailable()) return;
    const rom = biosRomInfo();
    yield {
      vendor: dmiAttribute('bios_vendor'),
      version: dmiAttribute('bios_version'),
      date: dmiAttribute('bios_date'),
      revision: dmiAttribute('bios_release'),
      extra: '',
      firmware_type: existsSync('/sys/firmware/efi') ? 'uefi' : 'bios',
      address: rom?.address ?? '',
      size: rom?.size ?? '',
      volume_size: 0,
    };
  },
};
