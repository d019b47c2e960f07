import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { readText } from '../system/host-files.js';
import { MOUNT_NAMESPACE_ID, namespaceColumns, namespaceRoots, PID_WITH_NAMESPACE } from '../files/namespace-roots.js';
import { parseStanzas } from './control-fields.js';

export const DEFAULT_DPKG_ADMINDIR = '/var/lib/dpkg';

/** The Debian revision of a version: what follows its last '-', or ''. */
export function debianRevision(version: string): string {
  const dash = version.lastIndexOf('-');
  return dash >= 0 ? version.slice(dash + 1) : '';
}

/** dpkg's canonical spelling: a zero epoch is dropped. */
function describeVersion(version: string): string {
  return version.replace(/^0+:/, '');
}

function* generate(context: QueryContext): Iterable<Row> {
  const admindirs = context.equals('admindir').map(String);
  for (const root of namespaceRoots(context)) {
    for (const admindir of admindirs.length > 0 ? [...new Set(admindirs)] : [DEFAULT_DPKG_ADMINDIR]) {
      const text = readText(root.path(`${admindir}/status`) ?? '');
      if (text === undefined) continue;
      for (const stanza of parseStanzas(text)) {
        const name = stanza.get('Package');
        const status = stanza.get('Status') ?? '';
        if (!name || status.split(/\s+/)[2] === 'not-installed' || status === '') continue;
        const version = describeVersion(stanza.get('Version') ?? '');
        yield {
          name,
          version,
          source: stanza.get('Source') ?? '',
          size: stanza.has('Installed-Size') ? Number(stanza.get('Installed-Size')) : '',
          arch: stanza.get('Architecture') ?? '',
          revision: debianRevision(version),
          status,
          maintainer: stanza.get('Maintainer') ?? '',
          section: stanza.get('Section') ?? '',
          priority: stanza.get('Priority') ?? '',
          admindir,
          ...namespaceColumns(root),
        };
      }
    }
  }
}

export const deb_packages: TableDefinition = {
  name: 'deb_packages',
  description: 'The installed DEB package database.',
  attributes: { cacheable: true },
  columns: [
    { name: 'name', type: 'TEXT', description: 'Package name' },
    { name: 'version', type: 'TEXT', collate: 'version_dpkg', description: 'Package version' },
    { name: 'source', type: 'TEXT', description: 'Package source' },
    { name: 'size', type: 'BIGINT', description: 'Package size in bytes' },
    { name: 'arch', type: 'TEXT', description: 'Package architecture' },
    { name: 'revision', type: 'TEXT', description: 'Package revision' },
    { name: 'status', type: 'TEXT', description: 'Package status' },
    { name: 'maintainer', type: 'TEXT', description: 'Package maintainer' },
    { name: 'section', type: 'TEXT', description: 'Package section' },
    { name: 'priority', type: 'TEXT', description: 'Package priority' },
    { name: 'admindir', type: 'TEXT', additional: true, optimized: true, description: 'libdpkg admindir. Defaults to /var/lib/dpkg' },
    { ...PID_WITH_NAMESPACE, description: 'Pids that contain a namespace' },
    { ...MOUNT_NAMESPACE_ID, description: 'Mount namespace id' },
  ],
  generate,
};
