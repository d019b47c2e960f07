// Shared by the audit tests: a real events runtime (audit publisher + process/user/socket_events) writing to a real
// LMDB event store, queried through the real SQL engine; temporary users for su; waiting helpers.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Flags } from '@quarry/config';
import { EventStore, quarryBuffersTable } from '@quarry/buffers';
import { createEventRuntime, type EventLogger, type EventRuntime } from '@quarry/events';
import { AuditPublisher } from '@quarry/publishers/audit/index';
import { ProcessEventsSubscriber } from '@quarry/subscribers/process-events/index';
import { SocketEventsSubscriber } from '@quarry/subscribers/socket-events/index';
import { UserEventsSubscriber } from '@quarry/subscribers/user-events/index';
import { Engine, type Row } from '@quarry/sql';
import { users } from '@quarry/tables/users/users';

type EventSubscriberLike = Parameters<EventRuntime['registerSubscriber']>[0];

export interface AuditLab {
  runtime: EventRuntime;
  publisher: AuditPublisher;
  engine: Engine;
  /** Rows of a query, peeking (no consumer cursor moves). */
  rows(sql: string): Row[];
  close(): Promise<void>;
}

/**
 * Starts the runtime with these command-line flags (osquery syntax) over a fresh LMDB store, and an Engine. The
 * process, socket and user subscribers are always registered; `moreSubscribers` adds others (e.g. seccomp_events).
 */
export async function openAuditLab(
  args: string[],
  options: { statusCheckMs?: number; moreSubscribers?: (flags: Flags) => EventSubscriberLike[]; logger?: EventLogger } = {},
): Promise<AuditLab> {
  const { flags } = Flags.parse(args, { mode: 'daemon' });
  const dir = mkdtempSync(`${tmpdir()}/quarry-audit-db-`);
  const store = EventStore.open(dir, { role: 'publisher' });
  const runtime = createEventRuntime(flags, {}, store, options.logger);
  const publisher = new AuditPublisher({ flags, statusCheckMs: options.statusCheckMs ?? 10_000 });
  runtime.registerPublisher(publisher);
  runtime.registerSubscriber(new ProcessEventsSubscriber({ flags }));
  runtime.registerSubscriber(new SocketEventsSubscriber({ flags }));
  runtime.registerSubscriber(new UserEventsSubscriber({ flags }));
  for (const subscriber of options.moreSubscribers?.(flags) ?? []) runtime.registerSubscriber(subscriber);
  await runtime.start();
  const engine = await Engine.create({ tables: [...runtime.tables(), users, quarryBuffersTable(store)], eventsEnabled: () => runtime.eventsEnabled() });
  return {
    runtime,
    publisher,
    engine,
    rows(sql) {
      const results = engine.execute(sql, { consumer: 'audit-test', peek: true });
      return results[results.length - 1]!.rows;
    },
    async close() {
      await runtime.stop();
      engine.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls (every 50 ms) until find() gives a value, else fails naming what it waited for. */
export async function eventually<T>(find: () => T | undefined | false, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface TempUser {
  name: string;
  uid: number;
  gid: number;
  remove(): void;
}

/** Creates an ordinary local user (useradd, no password set, so `su` to root as it fails authentication). */
export function createTempUser(prefix = 'qa'): TempUser {
  const name = `${prefix}${process.pid % 100000}${Math.floor(Math.random() * 1000)}`;
  execFileSync('useradd', ['--no-create-home', '--shell', '/bin/sh', name], { stdio: 'ignore' });
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { name, uid, gid, remove: () => void spawnSync('userdel', [name], { stdio: 'ignore' }) };
}

/** The SQL text literal for a string. */
export function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
