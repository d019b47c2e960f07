/**
 * A logger plugin of an extension (--logger_plugin=filesystem,<plugin>): result lines go to the extension as
 * `call("logger", plugin, {"string": line})`, snapshot lines as `{"snapshot": line}`, osquery's request keys. Lines
 * are sent in order, one call at a time; while the extension is missing or failing they wait in a bounded queue
 * (oldest dropped past the cap, counted) and are retried every second.
 */
import type { ExtensionManager, ManagerLog } from './extension-manager.js';

const MAX_QUEUED = 100_000;
const RETRY_MS = 1000;

export class ExtensionLogger {
  private readonly queue: Array<Record<string, string>> = [];
  private sending = false;
  private retry: NodeJS.Timeout | undefined;
  private failure: string | undefined;
  private closed = false;
  /** Lines dropped because the queue was full. */
  dropped = 0;

  constructor(
    readonly name: string,
    private readonly manager: () => ExtensionManager | undefined,
    private readonly log: ManagerLog,
  ) {}

  logString(line: string): void {
    this.enqueue({ string: line });
  }

  logSnapshot(line: string): void {
    this.enqueue({ snapshot: line });
  }

  /** Throws while the extension cannot take lines (the result sink reports it; the lines stay queued). */
  flush(): void {
    if (this.failure) throw new Error(`${this.failure} (${this.queue.length} lines waiting)`);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
  }

  /** Lines not yet delivered. */
  get pending(): number {
    return this.queue.length;
  }

  private enqueue(request: Record<string, string>): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.queue.shift();
      this.dropped += 1;
      if (this.dropped === 1) this.log.warn(`Logger plugin ${this.name}: more than ${MAX_QUEUED} lines waiting; dropping the oldest`);
    }
    this.queue.push(request);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.sending || this.closed || this.retry) return;
    this.sending = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const manager = this.manager();
        const owner = manager?.owner('logger', this.name);
        if (!manager || !owner) throw new Error(`no extension has registered the logger plugin ${this.name}`);
        const answer = await manager.call('logger', this.name, this.queue[0]!);
        if (answer.status.code !== 0) throw new Error(`the logger plugin ${this.name} answered status ${answer.status.code}: ${answer.status.message}`);
        this.queue.shift();
        if (this.failure) this.log.info(`Logger plugin ${this.name} takes lines again`);
        this.failure = undefined;
      }
    } catch (error) {
      const message = (error as Error).message;
      if (this.failure !== message) this.log.warn(`Logger plugin ${this.name}: ${message}; ${this.queue.length} lines wait and are retried`);
      this.failure = message;
      this.retry = setTimeout(() => {
        this.retry = undefined;
        void this.pump();
      }, RETRY_MS);
      this.retry.unref();
    } finally {
      this.sending = false;
    }
  }
}
