// Child process of burst.ts: performs the file-operation burst and prints one JSON line per phase with the
// wall-clock time (ms, fractional) of every operation, so the parent can compute file-op → row latency.
import { appendFileSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
const [dir, countText, dirsText] = process.argv.slice(2);
const count = Number(countText);
const dirs = Number(dirsText);
const now = () => performance.timeOrigin + performance.now();
const path = (i) => `${dir}/d${i % dirs}/f${i}`;
for (let d = 0; d < dirs; d++) mkdirSync(`${dir}/d${d}`, { recursive: true });
const phases = [
  ['create', (p) => writeFileSync(p, 'created\n')],
  ['write', (p) => appendFileSync(p, 'written\n')],
  ['delete', (p) => unlinkSync(p)],
];
for (const [phase, op] of phases) {
  await new Promise((r) => process.stdin.once('data', r)); // parent says go
  const times = new Array(count);
  const started = now();
  for (let i = 0; i < count; i++) {
    op(path(i));
    times[i] = now();
  }
  process.stdout.write(JSON.stringify({ phase, started, ended: now(), times }) + '\n');
}
