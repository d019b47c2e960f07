import { ParallelScanner } from '@quarry/tables/yara/parallel-scan';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
const d = mkdtempSync('/tmp/pdbg-');
const paths: string[] = [];
for (let i = 0; i < 60; i++) { const p = join(d, `f${String(i).padStart(2,'0')}`); writeFileSync(p, i % 2 ? 'AAAA' : 'BBBB'); paths.push(p); }
const ruleA = [{ kind: 'text', text: 'rule a { strings: $a = "AAAA" condition: $a }' }] as any;
const ruleB = [{ kind: 'text', text: 'rule b { strings: $a = "BBBB" condition: $a }' }] as any;
const s = new ParallelScanner();
const mk = (key: string, sources: any) => paths.map((p, index) => ({ index, realPath: p, key, sources }));
for (const r of s.scan(mk('A', ruleA), { withStrings: false, delayMs: 3 })) { break; }
let bad = 0;
for (const r of s.scan(mk('B', ruleB), { withStrings: false, delayMs: 3 })) { const m = 'columns' in r ? r.columns.matches : r.problem; const want = r.index % 2 ? '' : 'b'; if (m !== want) bad++; }
console.log('bad', bad);
s.close();
