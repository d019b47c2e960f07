import { join } from 'node:path';
import type { Row, TableDefinition } from '@quarry/sql';
import { listDirectory } from '../system/host-files.js';
import { loadHardwareIds, USB_IDS_PATHS } from './hardware-ids.js';
import { attribute } from './sysfs-devices.js';

const SYS_USB_DEVICES = '/sys/bus/usb/devices';

/** A hex sysfs byte ("09") as udev's decimal TYPE component ("9"). */
function decimalOfHex(value: string): string {
  const number = parseInt(value, 16);
  return Number.isFinite(number) ? String(number) : '';
}

function* generate(): Iterable<Row> {
  const ids = loadHardwareIds(USB_IDS_PATHS);
  for (const name of listDirectory(SYS_USB_DEVICES)) {
    if (name.includes(':')) continue; // interfaces, not devices
    const dir = join(SYS_USB_DEVICES, name);
    const bus = attribute(dir, 'busnum');
    const device = attribute(dir, 'devnum');
    if (bus === '' || device === '') continue;
    const vendorId = attribute(dir, 'idVendor');
    const modelId = attribute(dir, 'idProduct');
    yield {
      usb_address: Number(bus),
      usb_port: Number(device),
      vendor: ids.vendor(vendorId) || attribute(dir, 'manufacturer'),
      vendor_id: vendorId,
      version: attribute(dir, 'bcdDevice'),
      model: ids.device(vendorId, modelId) || attribute(dir, 'product'),
      model_id: modelId,
      serial: attribute(dir, 'serial'),
      class: decimalOfHex(attribute(dir, 'bDeviceClass')),
      subclass: decimalOfHex(attribute(dir, 'bDeviceSubClass')),
      protocol: decimalOfHex(attribute(dir, 'bDeviceProtocol')),
      removable: attribute(dir, 'removable') === 'unknown' ? -1 : 1,
    };
  }
}

export const usb_devices: TableDefinition = {
  name: 'usb_devices',
  description: 'USB devices that are actively plugged into the host system.',
  columns: [
    { name: 'usb_address', type: 'INTEGER', description: 'USB Device used address' },
    { name: 'usb_port', type: 'INTEGER', description: 'USB Device used port' },
    { name: 'vendor', type: 'TEXT', description: 'USB Device vendor string' },
    { name: 'vendor_id', type: 'TEXT', collate: 'nocase', description: 'Hex encoded USB Device vendor identifier' },
    { name: 'version', type: 'TEXT', collate: 'version', description: 'USB Device version number' },
    { name: 'model', type: 'TEXT', description: 'USB Device model string' },
    { name: 'model_id', type: 'TEXT', collate: 'nocase', description: 'Hex encoded USB Device model identifier' },
    { name: 'serial', type: 'TEXT', description: 'USB Device serial connection' },
    { name: 'class', type: 'TEXT', description: 'USB Device class' },
    { name: 'subclass', type: 'TEXT', description: 'USB Device subclass' },
    { name: 'protocol', type: 'TEXT', description: 'USB Device protocol' },
    { name: 'removable', type: 'INTEGER', description: '1 If USB device is removable else 0' },
  ],
  generate,
};
