import { join } from 'node:path';
import type { Row, TableDefinition } from '@quarry/sql';
import { listDirectory, readLink } from '../system/host-files.js';
import { attribute, readUdevProperties, readUevent } from './sysfs-devices.js';

const SYS_CLASS_BLOCK = '/sys/class/block';

/** Device names that /dev/disk/by-<kind>/ links point at, keyed by device name ("vda1" → "uuid"). */
function diskLinks(kind: 'uuid' | 'label'): Map<string, string> {
  const byDevice = new Map<string, string>();
  const dir = `/dev/disk/by-${kind}`;
  for (const name of listDirectory(dir)) {
    const target = readLink(join(dir, name));
    if (target) byDevice.set(target.split('/').pop()!, name.replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))));
  }
  return byDevice;
}

function* generate(): Iterable<Row> {
  const uuids = diskLinks('uuid');
  const labels = diskLinks('label');
  for (const name of listDirectory(SYS_CLASS_BLOCK)) {
    const dir = join(SYS_CLASS_BLOCK, name);
    const uevent = readUevent(dir);
    const devName = uevent.get('DEVNAME') ?? name;
    const isPartition = uevent.get('DEVTYPE') === 'partition';
    const parentDir = isPartition ? join(dir, '..') : dir;
    const udev = readUdevProperties('b', uevent.get('MAJOR') ?? '', uevent.get('MINOR') ?? '');
    const slaves = listDirectory(join(dir, 'slaves'));
    let parent = '';
    if (isPartition) parent = `/dev/${readUevent(parentDir).get('DEVNAME') ?? ''}`;
    else if (slaves.length > 0) parent = `/dev/${slaves[0]}`;
    const device = join(parentDir, 'device');
    const blockSize = Number(attribute(join(parentDir, 'queue'), 'logical_block_size'));
    yield {
      name: `/dev/${devName}`,
      parent,
      vendor: attribute(device, 'vendor') || attribute(join(device, 'device'), 'vendor'),
      model: attribute(device, 'model') || (udev.get('ID_MODEL') ?? ''),
      serial: attribute(device, 'serial') || (udev.get('ID_SERIAL_SHORT') ?? ''),
      size: Number(attribute(dir, 'size') || 0),
      block_size: Number.isFinite(blockSize) ? blockSize : 0,
      uuid: udev.get('ID_FS_UUID') ?? uuids.get(devName) ?? '',
      type: udev.get('ID_FS_TYPE') ?? '',
      label: udev.get('ID_FS_LABEL') ?? labels.get(devName) ?? '',
    };
  }
}

export const block_devices: TableDefinition = {
  name: 'block_devices',
  description: 'Block (buffered access) device file nodes: disks, ramdisks, and DMG containers.',
  columns: [
    { name: 'name', type: 'TEXT', index: true, description: 'Block device name' },
    { name: 'parent', type: 'TEXT', description: 'Block device parent name' },
    { name: 'vendor', type: 'TEXT', description: 'Block device vendor string' },
    { name: 'model', type: 'TEXT', description: 'Block device model string identifier' },
    { name: 'serial', type: 'TEXT', description: 'Block device serial number' },
    { name: 'size', type: 'BIGINT', description: 'Block device size in blocks' },
    { name: 'block_size', type: 'INTEGER', description: 'Block size in bytes' },
    { name: 'uuid', type: 'TEXT', collate: 'nocase', description: 'Block device Universally Unique Identifier' },
    { name: 'type', type: 'TEXT', description: 'Block device type string' },
    { name: 'label', type: 'TEXT', description: 'Block device label string' },
  ],
  generate,
};
