import { createEventRuntime } from '@quarry/events';
import { registerBuiltinPublishers } from '@quarry/publishers';
import { registerBuiltinSubscribers } from '@quarry/subscribers';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
const seen = new Map<string, number>();
let eid = 0;
const ring = { subscriber: 'file_events', async append(r: any[]) { const t = performance.timeOrigin + performance.now(); for (const x of r) { seen.set(x.action + ' ' + x.target_path, t); } return r.map(() => ++eid); }, read() { return []; }, commit() {}, peek() { return []; }, stats() { return {} as any; } };
const flags = { value: (n: string) => ({ disable_events: false } as any)[n] };
const dir = fs.mkdtempSync('/var/tmp/efim-lat-');
const rt = createEventRuntime(flags, { file_paths: { t: [dir + '/%%'] } }, { ring: () => ring } as any);
registerBuiltinPublishers(rt, { flags }); registerBuiltinSubscribers(rt, { flags });
await rt.start();
const N = 20000;
const child = spawn(process.execPath, ['bench/fim/burst-ops.mjs', dir, String(N), '20'], { stdio: ['pipe', 'pipe', 'inherit'] });
let buf = '';
const results: any[] = [];
child.stdout.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\n')) >= 0) { results.push(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); } });
await new Promise((r) => setTimeout(r, 500));
for (const [phase, action] of [['create', 'CREATED'], ['write', 'UPDATED'], ['delete', 'DELETED']]) {
  child.stdin.write('go\n');
  while (results.length < ['create', 'write', 'delete'].indexOf(phase) + 1) await new Promise((r) => setTimeout(r, 20));
  const res = results[results.length - 1];
  const t0 = Date.now();
  while (Date.now() - t0 < 8000) { let c = 0; for (let i = 0; i < N; i++) if (seen.has(`${action} ${dir}/d${i % 20}/f${i}`)) c++; if (c === N) break; await new Promise((r) => setTimeout(r, 50)); }
  const lat: number[] = [];
  for (let i = 0; i < N; i++) { const t = seen.get(`${action} ${dir}/d${i % 20}/f${i}`); if (t) lat.push(t - res.times[i]); }
  lat.sort((a, b) => a - b);
  console.log(phase, 'burst ms', (res.ended - res.started).toFixed(0), 'found', lat.length, 'p50', lat[Math.floor(lat.length / 2)]?.toFixed(1), 'p99', lat[Math.floor(lat.length * 0.99)]?.toFixed(1), 'rss MB', (process.resourceUsage().maxRSS / 1024).toFixed(0));
}
console.log(rt.status()[0].status);
child.kill(); await rt.stop(); fs.rmSync(dir, { recursive: true, force: true });
