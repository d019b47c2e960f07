import { dirname, isAbsolute, join } from 'node:path';
import type { Row, TableDefinition } from '@quarry/sql';
import { isRegularFile, listDirectory, readLines, splitFields } from '../system/host-files.js';

const SUDOERS = '/etc/sudoers';
/** sudo's own nesting limit for include files. */
const MAX_INCLUDE_DEPTH = 128;
const INCLUDE = /^[#@]include\s+/;
const INCLUDE_DIR = /^[#@]includedir\s+/;

/** Logical lines: a trailing backslash joins the next physical line. */
function logicalLines(path: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const line of readLines(path)) {
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1);
      continue;
    }
    out.push(pending + line);
    pending = '';
  }
  if (pending) out.push(pending);
  return out;
}

/** sudo skips included-directory entries that end in '~' or contain a '.'. */
function includedDirectoryFiles(directory: string): string[] {
  return listDirectory(directory)
    .filter((name) => !name.endsWith('~') && !name.includes('.'))
    .map((name) => join(directory, name))
    .filter(isRegularFile);
}

function* rulesOf(source: string, depth: number): Iterable<Row> {
  if (depth > MAX_INCLUDE_DEPTH) return;
  for (const rawLine of logicalLines(source)) {
    const line = rawLine.trim();
    if (line === '') continue;
    const fields = splitFields(line);
    const header = fields[0]!;
    const details = line.slice(header.length).trim();
    const target = details && !isAbsolute(details) ? join(dirname(source), details) : details;
    if (INCLUDE_DIR.test(line)) {
      yield { source, header, rule_details: details };
      for (const file of includedDirectoryFiles(target)) yield* rulesOf(file, depth + 1);
    } else if (INCLUDE.test(line)) {
      yield { source, header, rule_details: details };
      yield* rulesOf(target, depth + 1);
    } else if (!line.startsWith('#')) {
      yield { source, header, rule_details: details };
    }
  }
}

/** The sudoers table reading `path` (default /etc/sudoers; another path serves tests and chroots). */
export function createSudoersTable(path: string = SUDOERS): TableDefinition {
  return {
    name: 'sudoers',
    description: 'Rules for running commands as other users via sudo.',
    columns: [
      { name: 'source', type: 'TEXT', description: 'Source file containing the given rule' },
      { name: 'header', type: 'TEXT', description: 'Symbol for given rule' },
      { name: 'rule_details', type: 'TEXT', description: 'Rule definition' },
    ],
    generate: () => rulesOf(path, 0),
  };
}

export const sudoers: TableDefinition = createSudoersTable();
