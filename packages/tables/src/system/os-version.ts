import { machine } from 'node:os';
import type { Row, TableDefinition } from '@quarry/sql';
import { readText } from './host-files.js';
import { MOUNT_NAMESPACE_ID, namespaceRoots, PID_WITH_NAMESPACE, type NamespaceRoot } from '../files/namespace-roots.js';
import { parseOsRelease } from './os-release.js';

/** Version numbers "12", "22.04.3", "9.2" split into major/minor/patch; missing parts are 0. */
function versionParts(version: string | undefined): { major: number; minor: number; patch: number } {
  const parts = (version ?? '').split('.').map((p) => Number.parseInt(p, 10));
  const at = (i: number): number => (Number.isFinite(parts[i]) ? parts[i]! : 0);
  return { major: at(0), minor: at(1), patch: at(2) };
}

/** /etc/redhat-release or /etc/gentoo-release text such as "Rocky Linux release 9.2 (Blue Onyx)". */
function fromReleaseFile(text: string, platform: string): Partial<Row> {
  const line = text.split('\n')[0]!.trim();
  const match = /^(.*?)\s+release\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(line);
  const row: Partial<Row> = { platform, platform_like: platform };
  if (match) {
    row.name = match[1];
    row.major = Number(match[2]);
    row.minor = match[3] === undefined ? 0 : Number(match[3]);
    row.patch = match[4] === undefined ? 0 : Number(match[4]);
  }
  return row;
}

/** A file of a namespace root, resolved inside it; undefined when missing. */
function readIn(root: NamespaceRoot, path: string): string | undefined {
  const onDisk = root.path(path);
  return onDisk === undefined ? undefined : readText(onDisk);
}

/** The operating system's name and version from /etc/os-release, one row per namespace view. */
export const osVersion: TableDefinition = {
  name: 'os_version',
  description: 'A single row containing the operating system name and version.',
  columns: [
    { name: 'name', type: 'TEXT', description: 'Distribution or product name' },
    { name: 'version', type: 'TEXT', collate: 'version', description: 'Pretty, suitable for presentation, OS version' },
    { name: 'major', type: 'INTEGER', description: 'Major release version' },
    { name: 'minor', type: 'INTEGER', description: 'Minor release version' },
    { name: 'patch', type: 'INTEGER', description: 'Optional patch release' },
    { name: 'build', type: 'TEXT', description: 'Optional build-specific or variant string' },
    { name: 'platform', type: 'TEXT', description: 'OS Platform or ID' },
    { name: 'platform_like', type: 'TEXT', description: 'Closely related platforms' },
    { name: 'codename', type: 'TEXT', description: 'OS version codename' },
    { name: 'arch', type: 'TEXT', description: 'OS Architecture' },
    PID_WITH_NAMESPACE,
    MOUNT_NAMESPACE_ID,
  ],
  *generate(context) {
    for (const root of namespaceRoots(context)) {
      const release = parseOsRelease(readIn(root, '/etc/os-release') ?? '');
      const codenameKey = release.has('VERSION_CODENAME')
        ? 'VERSION_CODENAME'
        : [...release.keys()].find((key) => key.includes('CODENAME'));
      let row: Row = {
        name: release.get('NAME') ?? 'Unknown',
        version: release.get('VERSION') ?? '',
        ...versionParts(release.get('VERSION_ID')),
        build: release.get('BUILD_ID') ?? '',
        platform: release.get('ID') ?? 'posix',
        platform_like: release.get('ID_LIKE') ?? '',
        codename: codenameKey === undefined ? '' : release.get(codenameKey),
        arch: machine(),
        pid_with_namespace: root.pid,
        mount_namespace_id: root.mountNamespaceId,
      };
      const redhat = readIn(root, '/etc/redhat-release');
      const gentoo = readIn(root, '/etc/gentoo-release');
      if (redhat !== undefined) row = { ...row, ...fromReleaseFile(redhat, 'rhel') };
      else if (gentoo !== undefined) row = { ...row, ...fromReleaseFile(gentoo, 'gentoo') };
      yield row;
    }
  },
};
