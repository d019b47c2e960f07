/**
 * yara_file / yara against Debian's `yara` 4.2 on a generated corpus: the same rules, tags and string offsets for
 * every file, then every bad input a user can give (each must say what was wrong).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, chmodSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Engine } from '@quarry/sql';
import { Flags } from '@quarry/config';
import { createYaraTables, YaraScanner, yaraFileTable } from '@quarry/tables/yara/index';
import { RULES_BINARY, RULES_TEXT, ensureYara, runYara, writeCorpus } from './yara-fixtures.js';

const require = createRequire(import.meta.url);
let dir: string;
let corpus: string;
let files: string[];
let rulesText: string;
let rulesBinary: string;
let flags: Flags;
let engine: Engine;

function sql(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

before(async () => {
  ensureYara();
  dir = mkdtempSync(join(tmpdir(), 'quarry-yara-'));
  corpus = join(dir, 'corpus');
  files = writeCorpus(corpus, 60);
  mkdirSync(join(dir, 'rules', 'nested'), { recursive: true });
  rulesText = join(dir, 'rules', 'text.yar');
  rulesBinary = join(dir, 'rules', 'nested', 'binary.yar');
  writeFileSync(rulesText, RULES_TEXT);
  writeFileSync(rulesBinary, RULES_BINARY);
  flags = new Flags();
  flags.set('yara_delay', 0, 'cli');
  flags.set('enable_yara_string', true, 'cli');
  const config = { yara: { signatures: { corpus: [rulesText, rulesBinary], text_only: [rulesText] }, file_paths: {}, signature_urls: [] } };
  engine = await Engine.create({ tables: createYaraTables({ flags, config: () => config, yaraHome: join(dir, 'rules') }) });
});

after(() => {
  engine?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('matches, count and tags equal `yara -g -r`, strings equal `yara -s -f` (fast mode, as osquery) for every file', () => {
  const expected = runYara(['-g', '-r', rulesText, rulesBinary, corpus]);
  const expectedStrings = runYara(['-g', '-s', '-f', '-r', rulesText, rulesBinary, corpus]);
  const result = engine.query(`select path, matches, count, tags, strings, sig_group from yara where path like ${sql(`${corpus}/%%`)} and sig_group = 'corpus'`);
  assert.equal(result.rows.length, 60, 'one row per corpus file');
  let matched = 0;
  for (const row of result.rows) {
    const cli = expected.get(String(row.path)) ?? [];
    const cliStrings = expectedStrings.get(String(row.path)) ?? [];
    assert.equal(row.matches, cli.map((m) => m.rule).join(','), `matches of ${row.path}`);
    assert.equal(row.count, cli.length, `count of ${row.path}`);
    assert.equal(row.tags, cli.flatMap((m) => m.tags).join(','), `tags of ${row.path}`);
    assert.deepEqual(String(row.strings).split(',').filter(Boolean).sort(), cliStrings.flatMap((m) => m.strings).sort(), `strings of ${row.path}`);
    assert.equal(row.sig_group, 'corpus');
    if (cli.length > 0) matched++;
  }
  // The corpus must exercise every rule at least once, or the comparison proves little.
  const rulesSeen = new Set([...expected.values()].flatMap((list) => list.map((m) => m.rule)));
  assert.deepEqual([...rulesSeen].sort(), ['all_of_set', 'big_and_marked', 'counted', 'hex_wildcards', 'regex_email', 'small_file', 'text_plain', 'text_wide', 'two_of_three']);
  assert.ok(matched > 10);
});

test('yara_file is the same table; one row per (file, signature); sigfile relative to the YARA home; sigrule inline', () => {
  const file = files[0]!;
  const viaGroup = engine.query(`select matches from yara_file where path = ${sql(file)} and sig_group = 'text_only'`).rows;
  const cli = runYara(['-g', '-r', rulesText, file]).get(file) ?? [];
  assert.deepEqual(viaGroup, [{ matches: cli.map((m) => m.rule).join(',') }]);
  const both = engine.query(
    `select sig_group, sigfile, matches from yara where path = ${sql(file)} and sigfile in ('nested/binary.yar', ${sql(rulesText)})`,
  ).rows;
  const binaryCli = runYara(['-g', '-r', rulesBinary, file]).get(file) ?? [];
  assert.equal(both.length, 2, 'one row per signature');
  const bySigfile = both.find((r) => r.sigfile === 'nested/binary.yar')!;
  assert.equal(bySigfile.matches, binaryCli.map((m) => m.rule).join(','));
  assert.equal(bySigfile.sig_group, '');
  assert.equal(both.find((r) => r.sigfile === rulesText)!.matches, cli.map((m) => m.rule).join(','));
  const byRule = engine.query(`select sigrule, matches from yara where path = ${sql(file)} and sigrule = 'rule tiny { condition: filesize < 64 }'`).rows[0]!;
  assert.equal(byRule.sigrule, 'rule tiny { condition: filesize < 64 }');
  assert.equal(byRule.matches, 'tiny', 'the first corpus file is 20 bytes');
});

test('strings stay empty unless --enable_yara_string (osquery default)', async () => {
  const quiet = new Flags();
  quiet.set('yara_delay', 0, 'cli');
  const plain = await Engine.create({ tables: createYaraTables({ flags: quiet }) });
  try {
    const file = files[0]!;
    const rows = plain.query(`select matches, strings from yara where path = ${sql(file)} and sigrule = 'rule any_byte { strings: $a = { ?? } condition: $a }'`).rows;
    assert.deepEqual(rows, [{ matches: 'any_byte', strings: '' }]);
  } finally {
    plain.close();
  }
});

test('a rule file is recompiled only when it changes', async () => {
  const scanner = new YaraScanner({ flags, yaraHome: dir });
  const own = await Engine.create({ tables: [yaraFileTable(scanner)] });
  try {
    const ruleFile = join(dir, 'changing.yar');
    const target = join(dir, 'target.txt');
    writeFileSync(target, 'first-version second-version');
    writeFileSync(ruleFile, 'rule first { strings: $a = "first-version" condition: $a }');
    const q = `select matches from yara where path = ${sql(target)} and sigfile = ${sql(ruleFile)}`;
    assert.equal(own.query(q).rows[0]!.matches, 'first');
    assert.equal(own.query(q).rows[0]!.matches, 'first');
    assert.equal(scanner.cache.compilations, 1, 'the unchanged file was compiled once');
    writeFileSync(ruleFile, 'rule second_rule { strings: $a = "second-version" condition: $a }');
    assert.equal(own.query(q).rows[0]!.matches, 'second_rule');
    assert.equal(scanner.cache.compilations, 2, 'the changed file was recompiled');
  } finally {
    own.close();
  }
});

test('a rule that does not compile: the error names the file and the line yara reports', () => {
  const bad = join(dir, 'rules', 'broken.yar');
  writeFileSync(bad, 'rule fine { condition: true }\n\nrule broken {\n  strings: $a = "x"\n  condition: $b\n}\n');
  const cli = runYaraError([bad, '/dev/null']);
  const line = /^error: .*\((\d+)\): undefined string/m.exec(cli)![1]!;
  assert.throws(
    () => engine.query(`select * from yara where path = ${sql(rulesText)} and sigfile = ${sql(bad)}`),
    (error: Error) => error.message.includes(`${bad}:${line}:`) && error.message.includes('undefined string'),
  );
  assert.throws(
    () => engine.query(`select * from yara where path = ${sql(rulesText)} and sigrule = 'rule x { condition: nope }'`),
    /sigrule:1: undefined identifier "nope"/,
  );
  assert.throws(() => engine.query(`select * from yara where path = ${sql(rulesText)} and sigfile = '/nonexistent/rules.yar'`), /\/nonexistent\/rules\.yar does not exist/);
  assert.throws(() => engine.query(`select * from yara where path = ${sql(rulesText)} and sig_group = 'nope'`), /sig_group 'nope' is not defined .*corpus, text_only/);
});

function runYaraError(args: string[]): string {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  return spawnSync('yara', args, { encoding: 'utf8' }).stderr;
}

test('bad targets: a directory, a huge file, a FIFO and a missing file are reported and skipped', () => {
  const huge = join(dir, 'huge.bin');
  writeFileSync(huge, '');
  truncateSync(huge, 52428800 + 1);
  const fifo = join(dir, 'fifo');
  require('node:child_process').execFileSync('mkfifo', [fifo]);
  const warnings: string[] = [];
  for (const path of [corpus, huge, fifo, join(dir, 'missing')]) {
    const result = engine.query(`select * from yara where path = ${sql(path)} and sig_group = 'corpus'`, { onWarning: (m) => warnings.push(m) });
    assert.deepEqual(result.rows, []);
  }
  assert.match(warnings[0]!, /is a directory; scan its files with path LIKE/);
  assert.match(warnings[1]!, /is larger than --yara_max_file_size \(52428801 > 52428800 bytes\)/);
  assert.match(warnings[2]!, /is not a regular file/);
  assert.match(warnings[3]!, /missing: does not exist/);
  chmodSync(huge, 0o644);
});

test('missing constraints: no path, no signature, a sigurl outside the allow-list', () => {
  assert.throws(() => engine.query(`select * from yara where sig_group = 'corpus'`), /without a required column/);
  assert.throws(() => engine.query(`select * from yara where path = ${sql(rulesText)}`), /Query must specify sig_group, sigfile, sigrule, or sigurl/);
  assert.throws(
    () => engine.query(`select * from yara where path = ${sql(rulesText)} and sigurl = 'https://evil.example.com/rules.yar'`),
    /sigurl 'https:\/\/evil\.example\.com\/rules\.yar' is refused: the config has no yara\.signature_urls allow-list/,
  );
});

test('pid_with_namespace reads the files through /proc/<pid>/root and reports the pid', () => {
  const file = files[5]!;
  const plain = engine.query(`select matches from yara where path = ${sql(file)} and sig_group = 'corpus'`).rows;
  const viaNamespace = engine.query(
    `select matches, pid_with_namespace from yara where path = ${sql(file)} and sig_group = 'corpus' and pid_with_namespace = ${process.pid}`,
  ).rows;
  assert.deepEqual(viaNamespace, [{ matches: plain[0]!.matches, pid_with_namespace: process.pid }]);
});

test('a LIKE over many files is scanned on worker threads with the same rows, in path order, as scanned inline', () => {
  const many = engine.query(`select path, matches, strings from yara where path like ${sql(`${corpus}/%%`)} and sig_group = 'corpus'`).rows;
  const inline = files
    .slice()
    .sort()
    .map((file) => engine.query(`select path, matches, strings from yara where path = ${sql(file)} and sig_group = 'corpus'`).rows[0]!);
  assert.deepEqual(many, inline);
});
