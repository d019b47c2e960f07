// For bench/http/run.ts: creates COUNT files in DIR (burst-<i>.txt) from its own process, so the SSE clients'
// event loop is never blocked by the writes; prints {path: wall-clock ms (performance.timeOrigin based)} as JSON.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
const [dir, count] = [process.argv[2], Number(process.argv[3])];
if (!dir || !Number.isInteger(count)) throw new Error('usage: burst-writer.mjs DIR COUNT');
const written = {};
for (let i = 0; i < count; i++) {
  const path = join(dir, `burst-${i}.txt`);
  writeFileSync(path, String(i));
  written[path] = performance.timeOrigin + performance.now();
}
process.stdout.write(JSON.stringify(written));
