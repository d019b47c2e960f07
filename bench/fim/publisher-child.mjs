// The publishing process of burst.ts, plain Node on the built packages (no tsx loader inflating memory):
// events runtime + file publisher + file_events subscriber writing into an LMDB store as its publisher.
// stdin commands: "fired" → {fired: {"ACTION path": ms}}; "status" → one JSON line {status, vmHWMkB, vmRSSkB}; "stop" → stops and exits.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Flags } from '@quarry/config';
import { EventStore } from '@quarry/buffers';
import { createEventRuntime } from '@quarry/events';
import { registerBuiltinPublishers } from '@quarry/publishers';
import { registerBuiltinSubscribers } from '@quarry/subscribers';

const [tree, db] = process.argv.slice(2);
const flags = new Flags();
flags.set('disable_events', false, 'cli');
const store = EventStore.open(db, { role: 'publisher', eventsMax: 0, eventsExpiry: 0 });
// Stage timing of the store: how many appends, how long they blocked the event loop.
const appendStats = { appends: 0, rows: 0, totalMs: 0, maxMs: 0 };
const fileRing = store.ring('file_events');
const realAppend = fileRing.append.bind(fileRing);
fileRing.append = async (rows) => {
  const started = performance.now();
  try {
    return await realAppend(rows);
  } finally {
    const ms = performance.now() - started;
    appendStats.appends++;
    appendStats.rows += rows.length;
    appendStats.totalMs += ms;
    appendStats.maxMs = Math.max(appendStats.maxMs, ms);
  }
};
const runtime = createEventRuntime(flags, { file_paths: { bench: [`${tree}/%%`] } }, store);
registerBuiltinPublishers(runtime, { flags });
registerBuiltinSubscribers(runtime, { flags });
await runtime.start();
// Stage timing: when the publisher fired each context (to split latency into publisher vs subscriber+store).
const firedAt = new Map();
runtime.publisher('inotify').emitter.on('event', (ctx) => {
  const key = `${ctx.action} ${ctx.path}`;
  if (!firedAt.has(key)) firedAt.set(key, performance.timeOrigin + performance.now());
});
const keepAlive = setInterval(() => {}, 1000);
const memory = () => {
  const text = readFileSync('/proc/self/status', 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
  return { vmHWMkB: kb('VmHWM'), vmRSSkB: kb('VmRSS') };
};
process.stdout.write(JSON.stringify({ ready: true, ...memory() }) + '\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'fired') {
    process.stdout.write(JSON.stringify({ fired: Object.fromEntries(firedAt) }) + '\n');
  } else if (line === 'status') {
    const status = runtime.status().filter((s) => s.name === 'inotify' || s.name === 'file_events');
    process.stdout.write(JSON.stringify({ status, appendStats, ...memory() }) + '\n');
  } else if (line === 'stop') {
    await runtime.stop();
    await store.close();
    clearInterval(keepAlive);
    process.stdout.write(JSON.stringify({ stopped: true }) + '\n');
    process.exit(0);
  }
}
