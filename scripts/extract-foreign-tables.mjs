#!/usr/bin/env node
// Prints the data lines of packages/tables/src/foreign/foreign-table-data.ts from an osquery schema file (osquery-site's
// src/data/osquery_schema_versions/<version>.json): every table whose platforms leave out linux, with its columns
// (TYPE letters T I B U D X, `~` for hidden). Usage: node scripts/extract-foreign-tables.mjs SCHEMA.json
import { readFileSync } from 'node:fs';

const path = process.argv[2];
if (!path) {
  console.error('usage: node scripts/extract-foreign-tables.mjs SCHEMA.json');
  process.exit(2);
}
const TYPES = { text: 'T', integer: 'I', int: 'I', bigint: 'B', unsigned_bigint: 'U', double: 'D', blob: 'X' };
for (const table of JSON.parse(readFileSync(path, 'utf8'))) {
  if (table.platforms.includes('linux')) continue;
  const columns = table.columns
    .filter((column) => !column.platforms || column.platforms.some((platform) => platform !== 'linux'))
    .map((column) => `${column.name}:${TYPES[column.type] ?? 'T'}${column.hidden ? '~' : ''}`);
  console.log([table.name, table.platforms.join(','), ...columns].join(' '));
}
