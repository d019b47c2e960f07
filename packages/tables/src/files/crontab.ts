import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { isRegularFile, listDirectory, readLines, splitFields } from '../system/host-files.js';
import { namespaceRoots, PID_WITH_NAMESPACE } from './namespace-roots.js';
import { joinEntry } from './path-patterns.js';

const SYSTEM_CRONTAB = '/etc/crontab';
/** Directories whose files are crontabs: cron.d, the Debian and Red Hat user spools, and at's tabs. */
const CRONTAB_DIRECTORIES = ['/etc/cron.d', '/var/spool/cron', '/var/spool/cron/crontabs', '/var/at/tabs'];

/** One crontab(5) line as a row, or null for comments, blank lines and environment settings. */
export function parseCronLine(line: string): Omit<Row, 'path'> | null {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  const fields = splitFields(trimmed);
  if (fields[0]!.startsWith('@')) {
    if (fields.length < 2) return null;
    return { event: fields[0], minute: '', hour: '', day_of_month: '', month: '', day_of_week: '', command: fields.slice(1).join(' ') };
  }
  if (fields.length < 6) return null;
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
  return { event: '', minute, hour, day_of_month: dayOfMonth, month, day_of_week: dayOfWeek, command: fields.slice(5).join(' ') };
}

function crontabFiles(prefix: string): string[] {
  const files = [SYSTEM_CRONTAB];
  for (const directory of CRONTAB_DIRECTORIES) {
    for (const name of listDirectory(prefix + directory)) {
      const path = joinEntry(directory, name);
      if (isRegularFile(prefix + path)) files.push(path);
    }
  }
  return files;
}

function* generate(context: QueryContext): Iterable<Row> {
  for (const root of namespaceRoots(context)) {
    for (const path of crontabFiles(root.prefix)) {
      for (const line of readLines(root.prefix + path)) {
        const entry = parseCronLine(line);
        if (entry) yield { ...entry, path, pid_with_namespace: root.pid };
      }
    }
  }
}

export const crontab: TableDefinition = {
  name: 'crontab',
  description: 'Line parsed values from system and user cron/tab.',
  attributes: { cacheable: true },
  columns: [
    { name: 'event', type: 'TEXT', description: 'The job @event name (rare)' },
    { name: 'minute', type: 'TEXT', description: 'The exact minute for the job' },
    { name: 'hour', type: 'TEXT', description: 'The hour of the day for the job' },
    { name: 'day_of_month', type: 'TEXT', description: 'The day of the month for the job' },
    { name: 'month', type: 'TEXT', description: 'The month of the year for the job' },
    { name: 'day_of_week', type: 'TEXT', description: 'The day of the week for the job' },
    { name: 'command', type: 'TEXT', description: 'Raw command string' },
    { name: 'path', type: 'TEXT', description: 'File parsed' },
    { ...PID_WITH_NAMESPACE, description: 'Pids that contain a namespace' },
  ],
  generate,
};
