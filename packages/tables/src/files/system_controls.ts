import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { listDirectory, lstatPath, readLines, readText } from '../system/host-files.js';

const PROC_SYS = '/proc/sys';
/** sysctl.d directories, lowest precedence first; /etc/sysctl.conf is applied last. */
const CONFIG_DIRECTORIES = ['/lib/sysctl.d', '/usr/lib/sysctl.d', '/usr/local/lib/sysctl.d', '/etc/sysctl.d', '/run/sysctl.d'];
const CONFIG_FILE = '/etc/sysctl.conf';

/** sysctl.conf(5) "key = value" lines into a dotted-name → value map. */
export function readSysctlConfig(): Map<string, string> {
  const byName = new Map<string, string>();
  const files = new Map<string, string>();
  for (const directory of CONFIG_DIRECTORIES) {
    for (const name of listDirectory(directory)) if (name.endsWith('.conf')) files.set(name, `${directory}/${name}`);
  }
  const ordered = [...files.keys()].sort().map((name) => files.get(name)!);
  ordered.push(CONFIG_FILE);
  for (const file of ordered) {
    for (const line of readLines(file)) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
      const equals = trimmed.indexOf('=');
      if (equals < 0) continue;
      const key = trimmed.slice(0, equals).trim().replace(/^-/, '').replace(/\//g, '.');
      byName.set(key, trimmed.slice(equals + 1).trim());
    }
  }
  return byName;
}

function controlRow(path: string, config: Map<string, string>): Row | null {
  const value = readText(path);
  if (value === undefined) return null;
  const name = path.slice(PROC_SYS.length + 1).replace(/\//g, '.');
  const row: Row = { name, oid: '', subsystem: name.split('.')[0], current_value: value.trim(), type: 'string' };
  const configured = config.get(name);
  if (configured !== undefined) row.config_value = configured;
  return row;
}

function* walk(directory: string, config: Map<string, string>): Iterable<Row> {
  for (const entry of listDirectory(directory)) {
    const path = `${directory}/${entry}`;
    const stats = lstatPath(path);
    if (!stats) continue;
    if (stats.isDirectory()) yield* walk(path, config);
    else if (stats.isFile()) {
      const row = controlRow(path, config);
      if (row) yield row;
    }
  }
}

function* generate(context: QueryContext): Iterable<Row> {
  const config = readSysctlConfig();
  const names = context.equals('name').map(String);
  if (names.length > 0) {
    for (const name of new Set(names)) {
      const path = `${PROC_SYS}/${name.replace(/\./g, '/')}`;
      if (!lstatPath(path)?.isFile()) continue;
      const row = controlRow(path, config);
      if (row) yield row;
    }
    return;
  }
  yield* walk(PROC_SYS, config);
}

export const system_controls: TableDefinition = {
  name: 'system_controls',
  description: 'sysctl names, values, and settings information.',
  columns: [
    { name: 'name', type: 'TEXT', index: true, description: 'Full sysctl MIB name' },
    { name: 'oid', type: 'TEXT', additional: true, description: 'Control MIB' },
    { name: 'subsystem', type: 'TEXT', additional: true, description: 'Subsystem ID, control type' },
    { name: 'current_value', type: 'TEXT', description: 'Value of setting' },
    { name: 'config_value', type: 'TEXT', description: 'The MIB value set in /etc/sysctl.conf' },
    { name: 'type', type: 'TEXT', description: 'Data type' },
  ],
  generate,
};
