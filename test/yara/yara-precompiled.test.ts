/**
 * Rule files compiled by Debian's `yarac` (4.2) load as they are, in a config signature group and as a `sigfile`, and
 * match what `yara -C` finds with the same compiled file; a compiled file mixed with sources, a corrupt one and one
 * that is not compiled at all each say what is wrong.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '@quarry/sql';
import { Flags } from '@quarry/config';
import { createYaraTables } from '@quarry/tables/yara/index';
import { tempDir } from '../temp-dir.js';
import { RULES_BINARY, RULES_TEXT, ensureYara, runYara, writeCorpus } from './yara-fixtures.js';

const sql = (text: string) => `'${text.replace(/'/g, "''")}'`;
let dir: string;
let corpus: string;
let compiled: string;
let source: string;
let corrupt: string;
let engine: Engine;

before(async () => {
  ensureYara();
  dir = tempDir('quarry-yarac-');
  corpus = join(dir, 'corpus');
  writeCorpus(corpus, 40);
  source = join(dir, 'text.yar');
  writeFileSync(source, RULES_TEXT);
  const binarySource = join(dir, 'binary.yar');
  writeFileSync(binarySource, RULES_BINARY);
  compiled = join(dir, 'all.yarc');
  execFileSync('yarac', [source, binarySource, compiled]);
  corrupt = join(dir, 'corrupt.yarc');
  writeFileSync(corrupt, Buffer.concat([Buffer.from('YARA'), Buffer.alloc(64, 0x41)]));
  const flags = new Flags();
  flags.set('yara_delay', 0, 'cli');
  const config = { yara: { signatures: { precompiled: [compiled], mixed: [compiled, source], broken: [corrupt] }, file_paths: {}, signature_urls: [] } };
  engine = await Engine.create({ tables: createYaraTables({ flags, config: () => config, yaraHome: dir }) });
});

test('a yarac-compiled group and sigfile match what `yara -C` finds for every file', () => {
  const expected = runYara(['-C', '-g', '-r', compiled, corpus]);
  let matched = 0;
  for (const column of [`sig_group = 'precompiled'`, `sigfile = ${sql(compiled)}`]) {
    const rows = engine.query(`select path, matches, count, tags from yara where path like ${sql(`${corpus}/%%`)} and ${column}`).rows;
    assert.equal(rows.length, 40, `one row per corpus file (${column})`);
    for (const row of rows) {
      const cli = expected.get(String(row.path)) ?? [];
      assert.equal(row.matches, cli.map((m) => m.rule).join(','), `matches of ${row.path} (${column})`);
      assert.equal(row.count, cli.length);
      assert.equal(row.tags, cli.flatMap((m) => m.tags).join(','), `tags of ${row.path} (per matching rule, as osquery)`);
      if (cli.length > 0) matched++;
    }
  }
  assert.ok(matched > 20, `the corpus exercises the rules (${matched} matching rows)`);
});

test('a compiled file mixed with sources, a corrupt compiled file: clear errors naming the file', () => {
  const file = join(corpus, 'file-0.txt');
  writeFileSync(file, 'quarry-hello');
  assert.throws(
    () => engine.query(`select * from yara where path = ${sql(file)} and sig_group = 'mixed'`),
    new RegExp(`${compiled.replace(/[.]/g, '\\.')} is a precompiled rules file \\(yarac\\), which cannot be combined with other rule files`),
  );
  assert.throws(
    () => engine.query(`select * from yara where path = ${sql(file)} and sigfile = ${sql(corrupt)}`),
    new RegExp(`YARA rule file ${corrupt.replace(/[.]/g, '\\.')} could not be loaded: (the compiled rules file is corrupt|compiled by another YARA version)`),
  );
  // a plain source still compiles from text, as before
  assert.equal(engine.query(`select matches from yara where path = ${sql(file)} and sigfile = ${sql(source)}`).rows[0]?.matches, 'text_plain');
});
