import type { TableDefinition } from '@quarry/sql';
import { readText } from './host-files.js';

/** The running kernel: version from /proc/version, boot image, root device and arguments from /proc/cmdline. */
export const kernelInfo: TableDefinition = {
  name: 'kernel_info',
  description: 'Basic active kernel information.',
  attributes: { cacheable: true },
  columns: [
    { name: 'version', type: 'TEXT', collate: 'version', description: 'Kernel version' },
    { name: 'arguments', type: 'TEXT', description: 'Kernel arguments' },
    { name: 'path', type: 'TEXT', description: 'Kernel path' },
    { name: 'device', type: 'TEXT', description: 'Kernel device identifier' },
  ],
  *generate() {
    const version = readText('/proc/version');
    const cmdline = readText('/proc/cmdline');
    if (version === undefined && cmdline === undefined) return;
    let path = '';
    let device = '';
    const args: string[] = [];
    for (const token of (cmdline ?? '').trim().split(/\s+/).filter(Boolean)) {
      if (token.startsWith('BOOT_IMAGE=')) path = token.slice('BOOT_IMAGE='.length);
      else if (token.startsWith('root=')) device = token.slice('root='.length);
      else args.push(token);
    }
    yield { version: (version ?? '').split(/\s+/)[2] ?? '', arguments: args.join(' '), path, device };
  },
};
