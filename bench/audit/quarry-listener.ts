// Bench helper process: runs Quarry's audit publisher (unicast, one execve rule) and counts the exec events of the
// storm (argv[1] === 'quarrybench'), building each process_events row. Commands on stdin: "report", "stop".
import { createInterface } from 'node:readline';
import { Flags } from '@quarry/config';
import { AuditPublisher } from '@quarry/publishers/audit/index';
import { processEventRow } from '@quarry/subscribers/process-events/index';

const backlog = process.argv[2] ?? '8192';
const { flags } = Flags.parse(['--disable_audit=false', '--audit_allow_config=true', '--audit_listen=unicast', `--audit_backlog_limit=${backlog}`], { mode: 'daemon' });
const publisher = new AuditPublisher({ flags });
await publisher.setUp();
publisher.subscribe('process_events', [{ kinds: ['syscall'] }]);
await publisher.configure();
await publisher.start();
publisher.markStarted();

const seen = new Set<string>();
let rows = 0;
publisher.emitter.on('event', (ctx) => {
  const row = processEventRow(ctx);
  if (!row) return;
  rows++;
  if (ctx.argv?.[1] === 'quarrybench' && ctx.argv[2] !== undefined) seen.add(ctx.argv[2]);
});

process.stdout.write('READY\n');
createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line === 'report') {
    const cpu = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ storm: seen.size, rows, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssKiB: process.resourceUsage().maxRSS, stats: publisher.stats() })}\n`);
  } else if (line === 'stop') {
    await publisher.stop();
    process.exit(0);
  }
});
