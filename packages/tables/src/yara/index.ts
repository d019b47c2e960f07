/**
 * The YARA tables: yara_file (alias yara) and yara_process, over libyara (see libyara.ts), built by
 * createYaraTables(deps). yara_events lives in @quarry/subscribers and scans through YaraScanPool.
 */
import type { TableDefinition } from '@quarry/sql';
import { yaraFileTable } from './yara_file.js';
import { yaraProcessTable } from './yara_process.js';
import { YaraScanner, type YaraTableDeps } from './yara-scanner.js';

export type { YaraTableDeps } from './yara-scanner.js';
export { YaraScanner } from './yara-scanner.js';
export { yaraFileTable, YARA_FILE_COLUMNS } from './yara_file.js';
export { yaraProcessTable, YARA_PROCESS_COLUMNS } from './yara_process.js';
export { yaraSectionOf, type YaraSection } from './yara-config.js';
export { sigurlRefusal } from './signature-url.js';
export { compileRules, CompiledRules, YaraCompileError, YaraScanError, loadLibyara, type YaraRuleMatch, type RuleSource } from './libyara.js';
export { RuleCache, sourcesFingerprint } from './rule-cache.js';
export { matchColumns, type MatchColumns } from './scan-row.js';

/** yara_file (alias yara) and yara_process sharing one rule cache. Call once per Engine. */
export function createYaraTables(deps: YaraTableDeps = {}): TableDefinition[] {
  const scanner = new YaraScanner(deps);
  return [yaraFileTable(scanner), yaraProcessTable(scanner)];
}
export { YaraScanPool, type YaraScanPoolOptions, type YaraGroupRules, type YaraFileScanResult } from './scan-pool.js';
