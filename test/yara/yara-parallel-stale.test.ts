/**
 * A yara query stopped early (LIMIT) leaves scan batches in flight on the worker threads. The next query must not
 * take their late replies for results of its own files: every row of the second query must equal what `yara`
 * itself reports for that path with the second query's rules.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '@quarry/sql';
import { Flags } from '@quarry/config';
import { createYaraTables } from '@quarry/tables/yara/index';
import { RULES_BINARY, RULES_TEXT, ensureYara, runYara, writeCorpus } from './yara-fixtures.js';

let dir: string;
let corpus: string;
let rulesText: string;
let rulesBinary: string;
let engine: Engine;

function sql(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

before(async () => {
  ensureYara();
  dir = mkdtempSync(join(tmpdir(), 'quarry-yara-stale-'));
  corpus = join(dir, 'corpus');
  writeCorpus(corpus, 60);
  mkdirSync(join(dir, 'rules'), { recursive: true });
  rulesText = join(dir, 'rules', 'text.yar');
  rulesBinary = join(dir, 'rules', 'binary.yar');
  writeFileSync(rulesText, RULES_TEXT);
  writeFileSync(rulesBinary, RULES_BINARY);
  const flags = new Flags();
  // A small per-file delay keeps batches in flight when the first query stops.
  flags.set('yara_delay', 3, 'cli');
  const config = { yara: { signatures: { everything: [rulesText, rulesBinary], text_only: [rulesText] }, file_paths: {}, signature_urls: [] } };
  engine = await Engine.create({ tables: createYaraTables({ flags, config: () => config, yaraHome: join(dir, 'rules') }) });
});

after(() => {
  engine?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('after a LIMITed parallel scan, the next scan reports each file with its own rules only', () => {
  const like = sql(`${corpus}/%%`);
  for (let round = 0; round < 3; round++) {
    const first = engine.query(`select path, matches from yara where path like ${like} and sig_group = 'everything' limit 1`).rows;
    assert.equal(first.length, 1);
    const second = engine.query(`select path, matches from yara where path like ${like} and sig_group = 'text_only'`).rows;
    const expected = runYara(['-g', '-r', rulesText, corpus]);
    assert.equal(second.length, 60);
    for (const row of second) {
      const cli = expected.get(String(row.path)) ?? [];
      assert.equal(row.matches, cli.map((m) => m.rule).join(','), `round ${round}: matches of ${row.path} with the text_only rules`);
    }
  }
});
