import { join } from 'node:path';
import type { Row, TableDefinition } from '@quarry/sql';
import { listDirectory } from '../system/host-files.js';
import { loadHardwareIds, PCI_IDS_PATHS } from './hardware-ids.js';
import { attribute, linkName, readUevent } from './sysfs-devices.js';

const SYS_PCI_DEVICES = '/sys/bus/pci/devices';

/** "0x1af4" → "1AF4" (udev's PCI_ID spelling). */
function hexId(value: string, digits: number): string {
  return value.replace(/^0x/i, '').padStart(digits, '0').toUpperCase();
}

function* generate(): Iterable<Row> {
  const ids = loadHardwareIds(PCI_IDS_PATHS);
  for (const slot of listDirectory(SYS_PCI_DEVICES)) {
    const dir = join(SYS_PCI_DEVICES, slot);
    const uevent = readUevent(dir);
    const vendorId = hexId(attribute(dir, 'vendor'), 4);
    const modelId = hexId(attribute(dir, 'device'), 4);
    const subVendorId = hexId(attribute(dir, 'subsystem_vendor'), 4);
    const subModelId = hexId(attribute(dir, 'subsystem_device'), 4);
    const classCode = hexId(attribute(dir, 'class'), 6);
    const classId = classCode.slice(0, 2);
    const subclassId = classCode.slice(2, 4);
    const v = vendorId.toLowerCase();
    const m = modelId.toLowerCase();
    yield {
      pci_slot: uevent.get('PCI_SLOT_NAME') ?? slot,
      pci_class: ids.className(classId),
      driver: uevent.get('DRIVER') ?? linkName(join(dir, 'driver')),
      vendor: ids.vendor(v),
      vendor_id: vendorId,
      model: ids.device(v, m),
      model_id: modelId,
      pci_class_id: classId,
      pci_subclass_id: subclassId,
      pci_subclass: ids.subclassName(classId, subclassId),
      subsystem_vendor_id: subVendorId,
      subsystem_vendor: ids.vendor(subVendorId.toLowerCase()),
      subsystem_model_id: subModelId,
      subsystem_model: ids.subsystem(v, m, subVendorId.toLowerCase(), subModelId.toLowerCase()),
    };
  }
}

export const pci_devices: TableDefinition = {
  name: 'pci_devices',
  description: 'PCI devices active on the host system.',
  columns: [
    { name: 'pci_slot', type: 'TEXT', description: 'PCI Device used slot' },
    { name: 'pci_class', type: 'TEXT', description: 'PCI Device class' },
    { name: 'driver', type: 'TEXT', description: 'PCI Device used driver' },
    { name: 'vendor', type: 'TEXT', description: 'PCI Device vendor' },
    { name: 'vendor_id', type: 'TEXT', collate: 'nocase', description: 'Hex encoded PCI Device vendor identifier' },
    { name: 'model', type: 'TEXT', description: 'PCI Device model' },
    { name: 'model_id', type: 'TEXT', collate: 'nocase', description: 'Hex encoded PCI Device model identifier' },
    { name: 'pci_class_id', type: 'TEXT', collate: 'nocase', description: 'PCI Device class ID in hex format' },
    { name: 'pci_subclass_id', type: 'TEXT', collate: 'nocase', description: 'PCI Device  subclass in hex format' },
    { name: 'pci_subclass', type: 'TEXT', description: 'PCI Device subclass' },
    { name: 'subsystem_vendor_id', type: 'TEXT', collate: 'nocase', description: 'Vendor ID of PCI device subsystem' },
    { name: 'subsystem_vendor', type: 'TEXT', description: 'Vendor of PCI device subsystem' },
    { name: 'subsystem_model_id', type: 'TEXT', collate: 'nocase', description: 'Model ID of PCI device subsystem' },
    { name: 'subsystem_model', type: 'TEXT', description: 'Device description of PCI device subsystem' },
  ],
  generate,
};
