// The publishing process of burst.ts, plain Node on the built packages (no tsx loader inflating memory):
// events runtime + file publisher + file_events subscriber writing into an LMDB store as its publisher.
// stdin commands: "status" → one JSON line {status, vmHWMkB, vmRSSkB}; "stop" → stops and exits.
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
const runtime = createEventRuntime(flags, { file_paths: { bench: [`${tree}/%%`] } }, store);
registerBuiltinPublishers(runtime, { flags });
registerBuiltinSubscribers(runtime, { flags });
await runtime.start();
const keepAlive = setInterval(() => {}, 1000);
const memory = () => {
  const text = readFileSync('/proc/self/status', 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
  return { vmHWMkB: kb('VmHWM'), vmRSSkB: kb('VmRSS') };
};
process.stdout.write(JSON.stringify({ ready: true, ...memory() }) + '\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'status') {
    const status = runtime.status().filter((s) => s.name === 'inotify' || s.name === 'file_events');
    process.stdout.write(JSON.stringify({ status, ...memory() }) + '\n');
  } else if (line === 'stop') {
    await runtime.stop();
    await store.close();
    clearInterval(keepAlive);
    process.stdout.write(JSON.stringify({ stopped: true }) + '\n');
    process.exit(0);
  }
}
