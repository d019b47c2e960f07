// The publishing process of burst.ts, plain Node on the built packages (no tsx loader inflating memory):
// events runtime + file publisher + file_events subscriber writing into an LMDB store as its publisher.
// stdin commands: "fired" → {fired: {ACTION: [ms per file index]}, appended: {...}}; "status" → one JSON line {status, vmHWMkB, vmRSSkB}; "stop" → stops and exits.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Flags } from '@quarry/config';
import { EventStore } from '@quarry/buffers';
import { createEventRuntime } from '@quarry/events';
import { registerBuiltinPublishers } from '@quarry/publishers';
import { registerBuiltinSubscribers } from '@quarry/subscribers';
import { FileInspector } from '@quarry/subscribers/file-events/file-inspector';

const [tree, db, countText] = process.argv.slice(2);
const count = Number(countText ?? 20000);
// Stage stamps in typed arrays indexed by the burst's file number (…/f<i>): cheap, so the instrumentation itself
// adds almost nothing to the RSS being measured. 0 = not seen.
const ACTIONS = ['CREATED', 'UPDATED', 'DELETED'];
const newStamps = () => Object.fromEntries(ACTIONS.map((a) => [a, new Float64Array(count)]));
const stamp = (stamps, action, path, at) => {
  const series = stamps[action];
  if (!series) return;
  const slash = path.lastIndexOf('/f');
  const index = slash < 0 ? NaN : Number(path.slice(slash + 2));
  if (Number.isInteger(index) && index >= 0 && index < count && series[index] === 0) series[index] = at;
};
const toJson = (stamps) => Object.fromEntries(ACTIONS.map((a) => [a, Array.from(stamps[a])]));
const flags = new Flags();
flags.set('disable_events', false, 'cli');
const store = EventStore.open(db, { role: 'publisher', eventsMax: 0, eventsExpiry: 0 });
// Stage timing of the store: how many appends, how long they blocked the event loop.
const appendStats = { appends: 0, rows: 0, totalMs: 0, maxMs: 0 };
// Stage timing: when each row was committed (file-op → fired → committed → readable by the reader).
const appendedAt = newStamps();
const fileRing = store.ring('file_events');
const realAppend = fileRing.append.bind(fileRing);
fileRing.append = async (rows) => {
  const started = performance.now();
  try {
    return await realAppend(rows);
  } finally {
    const ms = performance.now() - started;
    const at = performance.timeOrigin + performance.now();
    for (const row of rows) stamp(appendedAt, row.action, row.target_path, at);
    appendStats.appends++;
    appendStats.rows += rows.length;
    appendStats.totalMs += ms;
    appendStats.maxMs = Math.max(appendStats.maxMs, ms);
  }
};
const runtime = createEventRuntime(flags, { file_paths: { bench: [`${tree}/%%`] } }, store);
registerBuiltinPublishers(runtime, { flags });
registerBuiltinSubscribers(runtime, { flags });
// Experiment knob: FIM_INSPECTOR_WORKERS=n replaces file_events' hashing pool (default: 2 on 2+ cores).
if (process.env.FIM_INSPECTOR_WORKERS) {
  runtime.subscriber('file_events').inspector = new FileInspector(52428800, Number(process.env.FIM_INSPECTOR_WORKERS));
}
await runtime.start();
// Stage timing: when the publisher fired each context (to split latency into publisher vs subscriber+store).
const firedAt = newStamps();
runtime.publisher('inotify').emitter.on('event', (ctx) => stamp(firedAt, ctx.action, ctx.path, performance.timeOrigin + performance.now()));
// Peak of the V8 heap and of external memory (sampled), to see where RSS goes.
const memoryPeaks = { heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
// Stage timing: when the subscriber had the row (stat + hashes done), before batching into LMDB.
const inspectedAt = newStamps();
const fileEvents = runtime.subscriber('file_events');
const realToRows = fileEvents.toRows.bind(fileEvents);
fileEvents.toRows = (ctx) => {
  const done = (rows) => {
    stamp(inspectedAt, ctx.action, ctx.path, performance.timeOrigin + performance.now());
    return rows;
  };
  const result = realToRows(ctx);
  return Array.isArray(result) ? done(result) : result.then(done);
};
const keepAlive = setInterval(() => {
  const m = process.memoryUsage();
  for (const key of Object.keys(memoryPeaks)) memoryPeaks[key] = Math.max(memoryPeaks[key], m[key]);
}, 20);
const memory = () => {
  const text = readFileSync('/proc/self/status', 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
  return { vmHWMkB: kb('VmHWM'), vmRSSkB: kb('VmRSS') };
};
process.stdout.write(JSON.stringify({ ready: true, ...memory() }) + '\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'fired') {
    process.stdout.write(JSON.stringify({ fired: toJson(firedAt), appended: toJson(appendedAt), inspected: toJson(inspectedAt) }) + '\n');
  } else if (line === 'status') {
    const status = runtime.status().filter((s) => s.name === 'inotify' || s.name === 'file_events');
    process.stdout.write(JSON.stringify({ status, appendStats, memoryPeaks, cpu: process.cpuUsage(), inspectorBatches: fileEvents.inspector?.batchesSent, ...memory() }) + '\n');
  } else if (line === 'stop') {
    await runtime.stop();
    await store.close();
    clearInterval(keepAlive);
    process.stdout.write(JSON.stringify({ stopped: true }) + '\n');
    process.exit(0);
  }
}
