/**
 * yara_process: scans the memory of the processes named by `pid =` (or IN) with the rules named by sig_group /
 * sigfile / sigrule / sigurl. libyara reads /proc/<pid>/maps and /proc/<pid>/mem, which needs root.
 */
import type { ColumnDefinition, QueryContext, Row, TableDefinition } from '@quarry/sql';
import { QueryError } from '@quarry/sql';
import { existsSync } from 'node:fs';
import { YaraScanError } from './libyara.js';
import { matchColumns } from './scan-row.js';
import { SIGNATURE_COLUMNS } from './yara_file.js';
import { SkipReport, type YaraScanner } from './yara-scanner.js';

export const YARA_PROCESS_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'pid', type: 'INTEGER', index: true, required: true, description: 'The pid scanned' },
  ...SIGNATURE_COLUMNS,
];

function* generate(scanner: YaraScanner, context: QueryContext): Iterable<Row> {
  const pids = [...new Set(context.equals('pid').map((value) => Number(value)))];
  if (pids.length === 0) throw new QueryError('yara_process: give the processes to scan with pid = N or pid IN (...)');
  if (process.getuid && process.getuid() !== 0) {
    throw new QueryError('yara_process reads other processes\' memory (/proc/<pid>/mem) and needs root: run quarryi with sudo');
  }
  const signatures = scanner.signatures(context);
  const skipped = new SkipReport();
  try {
    for (const pid of pids) {
      if (!Number.isInteger(pid) || pid <= 0 || !existsSync(`/proc/${pid}`)) {
        skipped.add('no such process', `pid ${String(pid)}`);
        continue;
      }
      for (const signature of signatures) {
        let found;
        try {
          found = scanner.scanProcess(pid, signature);
        } catch (error) {
          if (!(error instanceof YaraScanError)) throw error;
          skipped.add(error.message.replace(/^YARA could not scan .*?: /, 'YARA could not scan it: '), `pid ${pid}`);
          continue;
        }
        yield { pid, ...matchColumns(found), sig_group: '', sigfile: '', sigrule: '', sigurl: '', [signature.column]: signature.value };
      }
    }
  } finally {
    skipped.flush(context, 'yara_process');
  }
}

export function yaraProcessTable(scanner: YaraScanner): TableDefinition {
  return {
    name: 'yara_process',
    description: 'Triggers one-off YARA query for a process memory. Requires one of `sig_group`, `sigfile`, or `sigrule`.',
    columns: YARA_PROCESS_COLUMNS,
    generate: (context) => generate(scanner, context),
  };
}
