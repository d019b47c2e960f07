#!/usr/bin/env node
// Extracts, from the osquery reference notes (a directory holding osquery-tables.md and osquery-events.md, taken from
// osquery's specs/), each table's platforms and column names into scripts/docs/osquery-tables.json. generate-docs.mjs
// reads that file to list osquery's platforms and the column differences in docs/tables.md. The JSON is committed,
// so `npm run docs` needs no reference directory. Usage: node scripts/docs/extract-osquery-reference.mjs DIR
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/docs/extract-osquery-reference.mjs REFERENCE_DIR (holding osquery-tables.md, osquery-events.md)');
  process.exit(2);
}
const tables = {};
/** "linux only" → linux, "all (in the platform-independent list)" → all, "linux, macos, windows" → all. */
function normalPlatforms(text) {
  const plain = text.replace(/\*\*/g, '').replace(/\(.*?\)/g, '').replace(/;.*$/, '').trim();
  if (/^linux only/.test(plain)) return 'linux';
  if (plain === 'linux, macos, windows') return 'all';
  if (/^all, but built only on x86_64/.test(plain)) return 'all (x86_64 only)';
  return plain;
}
let current;
let sectionPlatforms = '';
for (const line of readFileSync(join(dir, 'osquery-tables.md'), 'utf8').split('\n')) {
  if (line.startsWith('## ')) sectionPlatforms = /docker/i.test(line) ? 'posix' : /utility/i.test(line) ? 'all' : '';
  const heading = /^### ([a-z0-9_]+)\s*$/.exec(line);
  if (heading) {
    current = tables[heading[1]] = { platforms: sectionPlatforms, columns: [] };
    continue;
  }
  if (!current) continue;
  const platforms = /Platforms: (.*?)\.(\s|$)/.exec(line);
  if (platforms) current.platforms = normalPlatforms(platforms[1]);
  const column = /^- ([a-z0-9_]+) (TEXT|INTEGER|BIGINT|UNSIGNED_BIGINT|UNSIGNED BIGINT|DOUBLE|BLOB)\b/.exec(line);
  if (column) current.columns.push(column[1]);
}
const events = readFileSync(join(dir, 'osquery-events.md'), 'utf8');
for (const paragraph of events.split(/\n(?=\*\*[a-z_]+\*\*)|\n\n/)) {
  const head = /^(?:Related: )?\*\*([a-z_]+_events|osquery_events)\*\*(?: \(([^)]*)\))?/.exec(paragraph.trim());
  if (!head) continue;
  const spec = head[2] ?? '';
  const platforms = /specs\/linux/.test(spec) ? 'linux' : /specs\/posix/.test(spec) ? 'posix' : 'all';
  const linux = paragraph.replace(/DARWIN extra:[^.]*\./g, ''); // macOS-only columns are not Linux differences
  const columns = [...linux.matchAll(/`([a-z0-9_]+) (?:TEXT|INTEGER|BIGINT|UNSIGNED_BIGINT|DOUBLE)\b/g)].map((m) => m[1]);
  // "`owner_uid BIGINT`, `owner_gid BIGINT`" and "`uid gid auid ... — all **TEXT**" forms
  for (const m of linux.matchAll(/`((?:[a-z0-9_]+ ){2,}[a-z0-9_]+)` — all/g)) columns.push(...m[1].split(' '));
  tables[head[1]] = { platforms, columns: [...new Set(columns)] };
}
// Since osquery 5.23 `yara` is split into yara_file (alias yara) and yara_process; the notes describe them in prose
// under **yara**, without a platform list.
const yara = /\*\*yara\*\*:([\s\S]*?)\n\n/.exec(events)?.[1] ?? '';
const yaraColumns = [...yara.replace(/Since 5\.23\.0[\s\S]*/, '').matchAll(/`([a-z0-9_]+) (?:TEXT|INTEGER|BIGINT)\b/g)].map((m) => m[1]);
if (yaraColumns.length > 0) {
  tables.yara_file = { platforms: '', columns: yaraColumns };
  tables.yara_process = { platforms: '', columns: yaraColumns.map((name) => (name === 'path' ? 'pid' : name)) };
}
const sorted = Object.fromEntries(Object.entries(tables).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(new URL('./osquery-tables.json', import.meta.url), JSON.stringify(sorted, null, 1) + '\n');
console.log(`${Object.keys(sorted).length} tables`);
