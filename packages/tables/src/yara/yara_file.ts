/**
 * yara_file (alias yara): scans files named by `path =` or `path LIKE` ('%' one level, '%%' every level, as the file
 * table) with the rules named by sig_group / sigfile / sigrule / sigurl. One row per (file, signature).
 */
import type { ColumnDefinition, QueryContext, Row, TableDefinition } from '@quarry/sql';
import { QueryError } from '@quarry/sql';
import { pathsFromConstraints } from '../files/path-patterns.js';
import { namespaceRoots, PID_WITH_NAMESPACE } from '../files/namespace-roots.js';
import { YaraScanError } from './libyara.js';
import { matchColumns, type MatchColumns } from './scan-row.js';
import type { RequestedSignature } from './signatures.js';
import { SkipReport, type YaraScanner } from './yara-scanner.js';

export const SIGNATURE_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'matches', type: 'TEXT', description: 'List of YARA matches' },
  { name: 'count', type: 'INTEGER', description: 'Number of YARA matches' },
  { name: 'sig_group', type: 'TEXT', additional: true, description: 'Signature group used' },
  { name: 'sigfile', type: 'TEXT', additional: true, description: 'Signature file used' },
  { name: 'sigrule', type: 'TEXT', additional: true, hidden: true, description: 'Signature strings used' },
  { name: 'strings', type: 'TEXT', description: 'Matching strings' },
  { name: 'tags', type: 'TEXT', description: 'Matching tags' },
  { name: 'sigurl', type: 'TEXT', additional: true, hidden: true, description: 'Signature url' },
];

export const YARA_FILE_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'path', type: 'TEXT', index: true, required: true, description: 'The path scanned' },
  ...SIGNATURE_COLUMNS,
  PID_WITH_NAMESPACE,
];

function hasPathConstraint(context: QueryContext): boolean {
  return context.constraintsOn('path').some((c) => c.operator === '=' || c.operator === 'LIKE');
}

interface Target {
  path: string;
  realPath: string;
  pid: number;
}

/** Below this many scans the query thread scans inline; above, the parallel workers share the work. */
const PARALLEL_THRESHOLD = 16;

function* generate(scanner: YaraScanner, context: QueryContext): Iterable<Row> {
  if (!hasPathConstraint(context)) {
    throw new QueryError("yara: give the files to scan with path = '/some/file' or path LIKE '/some/dir/%' ('%%' for every level)");
  }
  const signatures = scanner.signatures(context);
  // Compile first, here, so a rule error stops the query with its file and line before any scan.
  for (const signature of signatures) scanner.rulesFor(signature);
  const skipped = new SkipReport();
  try {
    const targets: Target[] = [];
    for (const root of namespaceRoots(context)) {
      for (const path of pathsFromConstraints(context, 'path', 'files', root.prefix)) {
        const realPath = root.path(path);
        if (realPath === undefined) {
          skipped.add('does not exist', path);
          continue;
        }
        const problem = scanner.fileProblem(realPath);
        if (problem) skipped.add(problem, path);
        else targets.push({ path, realPath, pid: root.pid });
      }
    }
    const row = (target: Target, signature: RequestedSignature, columns: MatchColumns): Row => ({
      path: target.path,
      ...columns,
      sig_group: '',
      sigfile: '',
      sigrule: '',
      sigurl: '',
      [signature.column]: signature.value,
      pid_with_namespace: target.pid,
    });
    const jobs = targets.flatMap((target) => signatures.map((signature) => ({ target, signature })));
    if (jobs.length >= PARALLEL_THRESHOLD && !scanner.parallel.problem) {
      const items = jobs.map((job, index) => ({ index, realPath: job.target.realPath, key: job.signature.key, sources: job.signature.sources, ...(job.signature.fingerprint ? { fingerprint: job.signature.fingerprint } : {}) }));
      for (const result of scanner.parallel.scan(items, { withStrings: scanner.withStrings, delayMs: scanner.delayMs })) {
        const job = jobs[result.index]!;
        if ('columns' in result) yield row(job.target, job.signature, result.columns);
        else if (result.problem.startsWith('rules: ')) throw new QueryError(result.problem.slice('rules: '.length));
        else skipped.add(result.problem, job.target.path);
      }
      return;
    }
    for (const { target, signature } of jobs) {
      let found;
      try {
        found = scanner.scanFile(target.realPath, signature);
      } catch (error) {
        if (!(error instanceof YaraScanError)) throw error;
        skipped.add(error.message.replace(/^YARA could not scan .*?: /, 'YARA could not scan it: '), target.path);
        continue;
      }
      yield row(target, signature, matchColumns(found));
    }
  } finally {
    skipped.flush(context, 'yara');
  }
}

/** yara_file, with osquery's alias `yara` (a view that keeps the hidden sigrule / sigurl columns). */
export function yaraFileTable(scanner: YaraScanner): TableDefinition {
  return {
    name: 'yara_file',
    aliases: ['yara'],
    description: 'Triggers one-off YARA query for files at the specified path. Requires one of `sig_group`, `sigfile`, or `sigrule`.',
    columns: YARA_FILE_COLUMNS,
    generate: (context) => generate(scanner, context),
  };
}
