/**
 * Shared by the yara tests: installs Debian's yara, writes a rule set and a corpus that exercises text strings
 * (nocase, wide), hex patterns with wildcards and jumps, regular expressions, `n of them`, filesize conditions,
 * tags, several rule files and nested folders, and parses `yara` command output.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function ensureYara(): void {
  execFileSync('sh', [new URL('../../scripts/ensure-yara.sh', import.meta.url).pathname], { stdio: 'inherit' });
}

export const RULES_TEXT = `
rule text_plain : text greeting {
  strings:
    $a = "quarry-hello"
    $b = "Quarry-Nocase" nocase
  condition:
    any of them
}

rule text_wide : text {
  strings:
    $w = "widestr" wide
  condition:
    $w
}

rule two_of_three {
  strings:
    $x = "alpha-token"
    $y = "beta-token"
    $z = "gamma-token"
  condition:
    2 of them
}

rule counted : counting {
  strings:
    $c = "repeat-me"
  condition:
    #c >= 3
}
`;

export const RULES_BINARY = `
rule hex_wildcards : binary {
  strings:
    $h1 = { 4D 5A ?? 00 [2-4] 50 45 }
    $h2 = { DE AD ( BE EF | CA FE ) }
  condition:
    any of them
}

rule regex_email : pii {
  strings:
    $r = /[a-z]{3,8}@example\\.(com|org)/
  condition:
    $r
}

rule small_file {
  condition:
    filesize < 64
}

rule big_and_marked : size marker {
  strings:
    $m = "BIG-MARK"
  condition:
    filesize > 4KB and $m at 0
}

rule all_of_set {
  strings:
    $p = "part-one"
    $q = { 70 61 72 74 2D 74 77 6F }
  condition:
    all of them
}
`;

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const PIECES: Array<Buffer> = [
  Buffer.from('quarry-hello'),
  Buffer.from('QUARRY-nocase'),
  Buffer.from('widestr', 'utf16le'),
  Buffer.from('widestr'),
  Buffer.from('alpha-token'),
  Buffer.from('beta-token'),
  Buffer.from('gamma-token'),
  Buffer.from('repeat-me'),
  Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x01, 0x02, 0x03, 0x50, 0x45]),
  Buffer.from([0xde, 0xad, 0xbe, 0xef]),
  Buffer.from([0xde, 0xad, 0xca, 0xfe]),
  Buffer.from('alice@example.com'),
  Buffer.from('x@example.net'),
  Buffer.from('part-one'),
  Buffer.from('part-two'),
];

/** Writes `count` files in nested folders under `root`; returns their paths. Deterministic for a seed. */
export function writeCorpus(root: string, count = 60, seed = 7): string[] {
  const random = seeded(seed);
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const dir = join(root, `d${i % 3}`, i % 2 === 0 ? 'inner' : '', i % 5 === 0 ? 'deeper/most' : '');
    mkdirSync(dir, { recursive: true });
    const parts: Buffer[] = [];
    if (i % 11 === 0) parts.push(Buffer.from('BIG-MARK'));
    const size = i % 7 === 0 ? 20 : 200 + Math.floor(random() * 8000);
    let length = parts.reduce((n, p) => n + p.length, 0);
    while (length < size) {
      const piece = random() < 0.15 ? PIECES[Math.floor(random() * PIECES.length)]! : Buffer.from(random().toString(36).slice(2));
      parts.push(piece);
      length += piece.length;
    }
    const path = join(dir, `file ${i}.bin`);
    writeFileSync(path, Buffer.concat(parts).subarray(0, Math.max(size, i % 11 === 0 ? 8 : 0)));
    paths.push(path);
  }
  return paths;
}

export interface YaraCliMatch {
  rule: string;
  tags: string[];
  strings: string[];
}

/** Runs `yara <args>` and returns path → matching rules in output order (with -g tags and -s strings). */
export function runYara(args: readonly string[]): Map<string, YaraCliMatch[]> {
  const result = spawnSync('yara', args, { encoding: 'latin1', maxBuffer: 256 * 1024 * 1024 });
  if (result.error || result.status !== 0) throw new Error(`yara ${args.join(' ')} failed: ${result.error?.message ?? result.stderr}`);
  const out = new Map<string, YaraCliMatch[]>();
  let current: YaraCliMatch | undefined;
  for (const line of result.stdout.split('\n')) {
    if (line.length === 0) continue;
    const stringLine = /^0x([0-9a-f]+):(\$[A-Za-z0-9_]*):/.exec(line);
    if (stringLine) {
      current?.strings.push(`${stringLine[2]}:${stringLine[1]}`);
      continue;
    }
    const ruleLine = /^(\S+) \[([^\]]*)\] (.+)$/.exec(line);
    if (!ruleLine) continue; // continuation of a printed string
    current = { rule: ruleLine[1]!, tags: ruleLine[2] ? ruleLine[2].split(',') : [], strings: [] };
    const list = out.get(ruleLine[3]!) ?? [];
    list.push(current);
    out.set(ruleLine[3]!, list);
  }
  return out;
}
