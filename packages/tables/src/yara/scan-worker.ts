/**
 * Worker thread of YaraScanPool: checks each file (regular, within the size flag), scans it with every requested
 * signature group (rules compiled once per group and recompiled when a rule file changes) and replies per batch.
 */
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { YaraCompileError, type YaraRuleMatch } from './libyara.js';
import { RuleCache } from './rule-cache.js';
import { matchColumns } from './scan-row.js';
import type { ScanReply, ScanRequest } from './scan-pool.js';

const { maxFileSize, withStrings } = workerData as { maxFileSize: number; withStrings: boolean };
const cache = new RuleCache();

function scan(request: ScanRequest): ScanReply {
  const empty = { id: request.id, matches: '', count: 0, strings: '', tags: '' };
  const found: YaraRuleMatch[] = [];
  const rulesList = [];
  for (const group of request.groups) {
    try {
      rulesList.push(cache.get(`group:${group.name}:${group.files.join('\0')}`, group.files.map((path) => ({ kind: 'file' as const, path }))));
    } catch (error) {
      const text = error instanceof YaraCompileError ? `group ${group.name} does not compile: ${error.message}` : `group ${group.name}: ${(error as Error).message}`;
      return { ...empty, problem: `rules: ${text}` };
    }
  }
  const path = Buffer.from(request.path, 'latin1');
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return { ...empty, problem: 'gone before it could be scanned' };
  }
  if (!stat.isFile()) return { ...empty, problem: 'not a regular file' };
  if (maxFileSize > 0 && stat.size > maxFileSize) return { ...empty, problem: `larger than --yara_max_file_size (${stat.size} > ${maxFileSize} bytes)` };
  // libyara takes a C string: a path with bytes that are not UTF-8 cannot be named exactly.
  const text = path.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(path)) return { ...empty, problem: 'the path is not valid UTF-8' };
  for (const rules of rulesList) {
    try {
      found.push(...rules.scanFile(text, { withStrings }));
    } catch (error) {
      return { ...empty, problem: (error as Error).message };
    }
  }
  return { id: request.id, ...matchColumns(found) };
}

parentPort!.on('message', (batch: ScanRequest[]) => {
  parentPort!.postMessage(batch.map(scan));
});
