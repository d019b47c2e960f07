/**
 * Rule syntax YARA 4.2 (the `yara` command, = libyara) and YARA-X treat differently: each case is compiled and run
 * by both on the same data, and the bench prints which agree. Evidence for the engine choice (README section).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SYNTAX_CASES: Record<string, string> = {
  'zero of them': 'rule t { strings: $a = "nothere" $b = "nope" condition: 0 of them }',
  'regex {,n} quantifier': 'rule t { strings: $a = /a{,3}/ condition: $a }',
  'regex \\b': 'rule t { strings: $a = /\\bxyz\\b/ condition: $a }',
  'hex all wildcards': 'rule t { strings: $a = { ?? ?? } condition: $a }',
  'regex dot vs NUL': 'rule t { strings: $a = /hello.world/ condition: $a }',
  'unused string': 'rule t { strings: $a = "abc" condition: true }',
  'duplicate rule': 'rule t { condition: true } rule t { condition: false }',
  'unknown escape \\q': 'rule t { strings: $a = "\\q" condition: $a }',
  'base64 modifier': 'rule t { strings: $a = "hello" base64 condition: $a }',
  'hex jump [0-300]': 'rule t { strings: $a = { DE [0-300] EF } condition: $a }',
  'constant integer overflow': 'rule t { condition: 0x7fffffffffffffff + 1 < 0 }',
  'constant division by zero': 'rule t { condition: filesize \\ 0 == 0 or true }',
  'percent of them': 'rule t { strings: $a = "abc" $b = "zzz" condition: 50% of them }',
};

export function compareSyntax(compileX: (rule: string) => { scanFile(path: string): unknown[] }): Array<{ name: string; yara: string; yaraX: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-yara-syntax-'));
  try {
    const data = join(dir, 'data');
    writeFileSync(data, Buffer.concat([Buffer.from('abc aaa xyz hello\x00world 0123 foo.bar '), Buffer.from([0xde, 0xad, 0xbe, 0xef])]));
    const out = [];
    for (const [name, rule] of Object.entries(SYNTAX_CASES)) {
      writeFileSync(join(dir, 'case.yar'), rule);
      const y = spawnSync('yara', [join(dir, 'case.yar'), data], { encoding: 'utf8' });
      const yara = y.status === 0 ? (y.stdout.trim() ? 'match' : 'no match') : `error (${y.stderr.trim().split('\n').pop()!.replace(/^.*: /, '')})`;
      let yaraX: string;
      try {
        yaraX = compileX(rule).scanFile(data).length > 0 ? 'match' : 'no match';
      } catch (error) {
        yaraX = `error (${String((error as Error).message).split('\n')[0]!.replace(/^.*error\[/, '[')})`;
      }
      out.push({ name, yara, yaraX });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
