/** Shared helpers for the FIM tests: temp trees under /var/tmp, a real file publisher, polling waits. */
import { mkdtempSync, rmSync } from 'node:fs';
import type { FileEventContext, FileSubscription } from '@quarry/events';
import { FilePublisher } from '@quarry/publishers';

export function tempTree(prefix = 'quarry-fim-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(`/var/tmp/${prefix}`);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls `check` every 10 ms until it returns a truthy value or `timeoutMs` passes (then throws `what`). */
export async function waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function sub(category: string, pattern: string, excludes: string[] = [], accesses = false): FileSubscription {
  return { category, pattern, accesses, excludes };
}

export interface RunningPublisher {
  publisher: FilePublisher;
  events: FileEventContext[];
  /** Events for `path` (display form). */
  on(path: string): FileEventContext[];
  /** Resolves when `count` events for `path` arrived; returns them. */
  waitOn(path: string, count?: number, timeoutMs?: number): Promise<FileEventContext[]>;
  /** Lets the coalescing window and the reader pass so that nothing else is in flight. */
  quiet(ms?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPublisher(
  subscriptions: FileSubscription[],
  subscriber = 'file_events',
  publisher = new FilePublisher(),
): Promise<RunningPublisher> {
  await publisher.setUp();
  publisher.subscribe(subscriber, subscriptions);
  await publisher.configure();
  await publisher.start();
  publisher.markStarted();
  const events: FileEventContext[] = [];
  publisher.emitter.on('event', (ctx) => events.push(ctx));
  const on = (path: string): FileEventContext[] => events.filter((e) => e.path === path);
  return {
    publisher,
    events,
    on,
    waitOn: (path, count = 1, timeoutMs = 5000) => waitFor(() => (on(path).length >= count ? on(path) : undefined), `${count} event(s) on ${path}`, timeoutMs),
    quiet: (ms = 300) => new Promise((r) => setTimeout(r, ms)),
    stop: () => publisher.stop(),
  };
}
