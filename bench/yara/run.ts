/**
 * YARA bench. (1) yara table through the Engine vs the `yara -r` command on a generated tree of 2,000 files
 * (200 MB) with 100 rules: wall times and ratio (target ≤ 1.5), and whether both report the same matches.
 * (2) YARA-X (@litko/yara-x) on the same tree and rules: time and how many (file, rule) pairs differ from `yara`.
 * (3) yara_events fed 1,000 changed files a second for a few seconds over real inotify and LMDB: files written,
 * rows stored (every file matches, so they must be equal), and how long after the last write the last row landed.
 * Run: npx tsc -b packages/tables subscribers && node --import tsx bench/yara/run.ts [--files=2000] [--mb=200] [--seconds=5]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Engine } from '@quarry/sql';
import { Flags } from '@quarry/config';
import { createYaraTables, YaraScanPool } from '@quarry/tables/yara/index';
import { createEventRuntime } from '@quarry/events';
import { EventStore } from '@quarry/buffers';
import { registerBuiltinPublishers } from '@quarry/publishers';
import { YaraEventsSubscriber } from '@quarry/subscribers/yara-events/index';
import { compareSyntax } from './syntax-cases.js';

const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};
const FILES = arg('files', 2000);
const TOTAL_MB = arg('mb', 200);
const SECONDS = arg('seconds', 5);
const RATE = arg('rate', 1000);

execFileSync('sh', [new URL('../../scripts/ensure-yara.sh', import.meta.url).pathname], { stdio: 'inherit' });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** 100 rules: text (plain, nocase, wide), hex with wildcards/jumps, regexes, n of them, filesize, tags. */
function makeRules(): { text: string; tokens: string[] } {
  const tokens: string[] = [];
  const rules: string[] = [];
  for (let i = 0; i < 100; i++) {
    const token = `tok${i.toString(36)}x${(i * 7919).toString(16)}`;
    tokens.push(token);
    const hex = Buffer.from(token.slice(0, 6)).toString('hex').match(/../g)!;
    switch (i % 5) {
      case 0:
        rules.push(`rule r${i} : text t${i % 3} { strings: $a = "${token}" condition: $a }`);
        break;
      case 1:
        rules.push(`rule r${i} : ci { strings: $a = "${token.toUpperCase()}" nocase $b = "${token}" wide condition: any of them }`);
        break;
      case 2:
        rules.push(`rule r${i} : hex { strings: $h = { ${hex.slice(0, 3).join(' ')} ?? ${hex.slice(4, 6).join(' ')} } condition: $h }`);
        break;
      case 3:
        rules.push(`rule r${i} : regex { strings: $r = /${token.slice(0, 5)}[a-z0-9]{2,6}x[0-9a-f]+/ condition: $r }`);
        break;
      default:
        rules.push(`rule r${i} { strings: $a = "${token}" $b = "zz${token}" $c = { ${hex.slice(0, 4).join(' ')} } condition: 2 of them and filesize > 1KB }`);
    }
  }
  return { text: rules.join('\n') + '\n', tokens };
}

function makeTree(root: string, tokens: string[]): void {
  const size = Math.floor((TOTAL_MB * 1024 * 1024) / FILES);
  const block = randomBytes(size);
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, `d${i % 20}`, `s${i % 7}`);
    mkdirSync(dir, { recursive: true });
    const data = Buffer.from(block);
    // Random bytes rotated per file, with a few planted tokens (about a third of the files match something).
    data.copyWithin(0, (i * 4099) % size);
    if (i % 3 === 0) {
      for (let k = 0; k < 3; k++) {
        const token = Buffer.from(tokens[(i + k * 37) % tokens.length]!);
        token.copy(data, (k + 1) * Math.floor(size / 5));
      }
    }
    writeFileSync(join(dir, `f${i}.bin`), data);
  }
}

function parseYara(stdout: string): Set<string> {
  const pairs = new Set<string>();
  for (const line of stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) pairs.add(`${line.slice(space + 1)}\t${line.slice(0, space)}`);
  }
  return pairs;
}

async function tableVsCommand(root: string, rulesFile: string): Promise<void> {
  const flags = new Flags();
  flags.set('yara_delay', 0, 'cli');
  flags.set('yara_max_file_size', 0, 'cli');
  const engine = await Engine.create({ tables: createYaraTables({ flags }) });
  const sql = `select path, matches from yara where path like '${root}/%%' and sigfile = '${rulesFile}'`;
  const quarryTimes: number[] = [];
  const yaraTimes: number[] = [];
  const yaraOneThread: number[] = [];
  let quarryPairs = new Set<string>();
  let yaraPairs = new Set<string>();
  for (let run = 0; run < 5; run++) {
    let start = process.hrtime.bigint();
    const rows = engine.query(sql).rows;
    quarryTimes.push(ms(start));
    quarryPairs = new Set(rows.flatMap((r) => String(r.matches).split(',').filter(Boolean).map((m) => `${r.path}\t${m}`)));
    start = process.hrtime.bigint();
    const out = spawnSync('yara', ['-r', rulesFile, root], { encoding: 'utf8', maxBuffer: 1 << 28 });
    yaraTimes.push(ms(start));
    yaraPairs = parseYara(out.stdout);
    start = process.hrtime.bigint();
    spawnSync('yara', ['-p', '1', '-r', rulesFile, root], { encoding: 'utf8', maxBuffer: 1 << 28 });
    yaraOneThread.push(ms(start));
  }
  engine.close();
  const same = quarryPairs.size === yaraPairs.size && [...quarryPairs].every((p) => yaraPairs.has(p));
  const q = median(quarryTimes);
  const y = median(yaraTimes);
  console.log(`\n[1] yara table vs yara -r: ${FILES} files, ${TOTAL_MB} MB, 100 rules (median of 5 interleaved runs; run 1 includes compiling and starting the scan workers)`);
  console.log(`    quarry (Engine, libyara): ${q.toFixed(0)} ms  (runs: ${quarryTimes.map((t) => t.toFixed(0)).join(', ')})`);
  console.log(`    yara -r (default threads): ${y.toFixed(0)} ms  (runs: ${yaraTimes.map((t) => t.toFixed(0)).join(', ')})`);
  console.log(`    yara -p 1 -r:              ${median(yaraOneThread).toFixed(0)} ms`);
  console.log(`    ratio quarry / yara -r = ${(q / y).toFixed(2)} (target <= 1.5); vs yara -p 1: ${(q / median(yaraOneThread)).toFixed(2)}`);
  console.log(`    (file, rule) matches: quarry ${quarryPairs.size}, yara ${yaraPairs.size}, identical: ${same}`);
}

async function yaraX(root: string, rulesText: string, rulesFile: string): Promise<void> {
  let mod: typeof import('@litko/yara-x');
  try {
    mod = await import('@litko/yara-x');
  } catch (error) {
    console.log(`\n[2] YARA-X not measured: ${(error as Error).message}`);
    return;
  }
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else files.push(join(dir, entry.name));
    }
  };
  walk(root);
  let start = process.hrtime.bigint();
  const compiled = mod.compile(rulesText);
  const compileMs = ms(start);
  const times: number[] = [];
  let pairs = new Set<string>();
  for (let run = 0; run < 3; run++) {
    start = process.hrtime.bigint();
    const found = new Set<string>();
    for (const file of files) for (const match of compiled.scanFile(file)) found.add(`${file}\t${match.ruleIdentifier}`);
    times.push(ms(start));
    pairs = found;
  }
  const yaraPairs = parseYara(spawnSync('yara', ['-r', rulesFile, root], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout);
  const onlyX = [...pairs].filter((p) => !yaraPairs.has(p)).length;
  const onlyYara = [...yaraPairs].filter((p) => !pairs.has(p)).length;
  console.log(`\n[2] YARA-X (@litko/yara-x scanFile, one thread) on the same tree and rules`);
  console.log(`    compile ${compileMs.toFixed(0)} ms, scan median ${median(times).toFixed(0)} ms (runs: ${times.map((t) => t.toFixed(0)).join(', ')})`);
  console.log(`    (file, rule) matches: yara-x ${pairs.size}, yara ${yaraPairs.size}; only in yara-x: ${onlyX}, only in yara: ${onlyYara}`);
  console.log('    rule syntax, yara 4.2 vs yara-x:');
  for (const c of compareSyntax((rule) => mod.compile(rule))) {
    const same = c.yara === c.yaraX || (c.yara.startsWith('error') && c.yaraX.startsWith('error'));
    console.log(`      ${same ? 'same' : 'DIFF'}  ${c.name.padEnd(26)} yara: ${c.yara.padEnd(40)} yara-x: ${c.yaraX}`);
  }
}

async function eventsThroughput(rulesFile: string): Promise<void> {
  const base = mkdtempSync('/var/tmp/quarry-yara-bench-events-');
  const watched = join(base, 'w');
  mkdirSync(watched);
  const dbDir = mkdtempSync(join(tmpdir(), 'quarry-yara-bench-db-'));
  const store = EventStore.open(dbDir, { role: 'publisher' });
  const flags = new Flags();
  flags.set('disable_events', false, 'cli');
  const config = { file_paths: { w: [`${watched}/%%`] }, yara: { signatures: { g: [rulesFile] }, file_paths: { w: ['g'] } } };
  const runtime = createEventRuntime(flags, config, store);
  registerBuiltinPublishers(runtime, { flags });
  const pool = new YaraScanPool({ workers: 2 });
  const subscriber = new YaraEventsSubscriber({ scanner: pool });
  runtime.registerSubscriber(subscriber);
  await runtime.start();
  const engine = await Engine.create({ tables: runtime.tables() });
  const count = (): number => Number(engine.query('select count(*) as n from yara_events', { peek: true }).rows[0]!.n);
  const body = Buffer.concat([randomBytes(2048), Buffer.from(' tok0x0 '), randomBytes(2048)]); // every file matches r0
  const total = RATE * SECONDS;
  const start = Date.now();
  let written = 0;
  let lag = 0;
  while (written < total) {
    const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * RATE) + 1);
    for (; written < due; written++) {
      const fd = openSync(join(watched, `f${written}.bin`), 'w');
      writeSync(fd, body);
      closeSync(fd);
    }
    lag = Math.max(lag, pool.pending);
    await new Promise((r) => setTimeout(r, 5));
  }
  const writeSeconds = (Date.now() - start) / 1000;
  const lastWrite = Date.now();
  let rows = count();
  while (rows < total && Date.now() - lastWrite < 30_000) {
    await new Promise((r) => setTimeout(r, 50));
    lag = Math.max(lag, pool.pending);
    rows = count();
  }
  const catchUp = Date.now() - lastWrite;
  console.log(`\n[3] yara_events: ${total} files written in ${writeSeconds.toFixed(2)} s (${(total / writeSeconds).toFixed(0)}/s), 100 rules, 2 scan workers`);
  console.log(`    rows stored: ${rows} of ${total} (${rows === total ? 'none dropped' : `${total - rows} MISSING`}); last row ${catchUp} ms after the last write; most scans queued at once: ${lag}`);
  console.log(`    subscriber: ${subscriber.scanSummary()}`);
  await runtime.stop();
  engine.close();
  await store.close();
  rmSync(base, { recursive: true, force: true });
  rmSync(dbDir, { recursive: true, force: true });
}

const work = mkdtempSync('/var/tmp/quarry-yara-bench-');
try {
  const { text, tokens } = makeRules();
  const rulesFile = join(work, 'rules.yar');
  writeFileSync(rulesFile, text);
  const root = join(work, 'tree');
  let start = process.hrtime.bigint();
  makeTree(root, tokens);
  console.log(`tree: ${FILES} files, ${TOTAL_MB} MB written in ${ms(start).toFixed(0)} ms; yara ${execFileSync('yara', ['--version'], { encoding: 'utf8' }).trim()}`);
  spawnSync('cat', ['-'], { input: '' });
  start = process.hrtime.bigint();
  spawnSync('sh', ['-c', `cat $(find ${root} -type f) > /dev/null`]);
  console.log(`page cache warmed in ${ms(start).toFixed(0)} ms`);
  await tableVsCommand(root, rulesFile);
  await yaraX(root, text, rulesFile);
  await eventsThroughput(rulesFile);
} finally {
  rmSync(work, { recursive: true, force: true });
}
