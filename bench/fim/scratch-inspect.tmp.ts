import fs from 'node:fs';
import { FileInspector } from '@quarry/subscribers';
const dir = fs.mkdtempSync('/var/tmp/efim-insp-');
const N = 20000;
for (let i = 0; i < N; i++) fs.writeFileSync(`${dir}/f${i}`, 'created\nwritten\n');
for (const w of [1, 2]) {
  const ins = new FileInspector(52428800, w);
  await ins.inspect(Buffer.from(`${dir}/f0`).toString('latin1'), true);
  const t = performance.now();
  await Promise.all(Array.from({ length: N }, (_, i) => ins.inspect(Buffer.from(`${dir}/f${i}`).toString('latin1'), true)));
  console.log('workers', w, 'inspect+hash per s', Math.round(N / ((performance.now() - t) / 1000)));
  await ins.close();
}
fs.rmSync(dir, { recursive: true });
console.log(fs.readFileSync('/proc/loadavg', 'utf8'));
