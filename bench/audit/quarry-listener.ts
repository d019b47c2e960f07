// Bench helper process: Quarry as users run it — the events runtime with the audit publisher (unicast, its one
// execve/execveat rule, osquery's default backlog 4096) and the process_events subscriber writing rows (stat of the
// binary included) to a real LMDB event store. Counts the storm's execs (argv[1] === 'quarrybench').
// Commands on stdin: "report", "stop".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { EventStore } from '@quarry/buffers';
import { Flags } from '@quarry/config';
import { createEventRuntime } from '@quarry/events';
import { AuditPublisher } from '@quarry/publishers/audit/index';
import { ProcessEventsSubscriber } from '@quarry/subscribers/process-events/index';

const { flags } = Flags.parse(['--disable_events=false', '--disable_audit=false', '--audit_allow_config=true', '--audit_listen=unicast'], { mode: 'daemon' });
const dir = mkdtempSync(`${tmpdir()}/quarry-audit-bench-`);
const store = EventStore.open(dir, { role: 'publisher', eventsMax: 100_000 });
const runtime = createEventRuntime(flags, {}, store);
const publisher = new AuditPublisher({ flags, statusCheckMs: 1000 });
runtime.registerPublisher(publisher);
runtime.registerSubscriber(new ProcessEventsSubscriber({ flags }));
await runtime.start();

const seen = new Set<string>();
let firstMs = 0;
let lastMs = 0;
publisher.emitter.on('event', (ctx) => {
  if (ctx.argv?.[1] !== 'quarrybench' || ctx.argv[2] === undefined) return;
  seen.add(ctx.argv[2]);
  const now = performance.now();
  if (firstMs === 0) firstMs = now;
  lastMs = now;
});

process.stdout.write('READY\n');
createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line === 'report') {
    await runtime.settle();
    const cpu = process.cpuUsage();
    const stored = store.ring('process_events').stats().appended;
    process.stdout.write(`${JSON.stringify({
      storm: seen.size, stored, spanSeconds: (lastMs - firstMs) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6,
      maxRssKiB: process.resourceUsage().maxRSS, counters: await publisher.refreshKernelStatus(),
    })}\n`);
  } else if (line === 'stop') {
    await runtime.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
});
