/**
 * The Linux audit publisher (osquery type `auditeventpublisher`). It opens NETLINK_AUDIT through node-audit, may
 * configure the kernel (--audit_allow_config: enable audit, backlog settings, one exit rule for the syscalls the
 * allowed subscribers need), receives records on a worker thread (--audit_listen: unicast owns the audit pid as
 * osquery does; multicast listens beside auditd; auto picks), assembles them into events and fires them to the
 * subscribers that asked for their kind. On stop it puts the kernel back exactly as it found it, and never turns
 * audit off if it was on (osquery#5381).
 */
import { EventPublisher } from '@quarry/events';
import {
  AuditClient, AuditError, AuditRecordParser, hostAuditArch, syscallNumber, syscallRule,
  type AuditArchName, type AuditMessage, type AuditReader, type AuditRecord, type AuditRule,
} from 'node-audit';
import { AuditEventAssembler, type AssembledEvent } from './audit-event-assembler.js';
import { AUDIT_PUBLISHER_TYPE, type AuditEventContext, type AuditSubscription } from './audit-event-context.js';
import {
  anyAuditSourceAllowed, auditRuleSyscalls, auditSettingsFromFlags, FAILURE_ALLOWED_SYSCALLS, type AuditSettings,
} from './audit-flags.js';
import { SerialGapTracker } from './serial-gap-tracker.js';
import type { FlagSource } from '@quarry/events';

export interface AuditPublisherOptions {
  flags: FlagSource;
  /** Flush events without EOE after this many ms (default 5000). */
  incompleteAfterMs?: number;
  /** How often the kernel status (lost, backlog, pid owner) is checked, in ms (default 10000). */
  statusCheckMs?: number;
  /** Retry delay after failing to get the audit pid, in ms (default 5000, osquery's). */
  retryMs?: number;
}

export interface AuditPublisherStats {
  mode: 'unicast' | 'multicast' | 'none';
  records: number;
  rejectedRecords: number;
  events: number;
  incompleteEvents: number;
  orphanRecords: number;
  droppedSyscalls: number;
  readerOverruns: number;
  serialGapsLost: number;
  kernelLost: number;
  kernelBacklog: number;
  ruleInstalled: boolean;
}

export class AuditPublisher extends EventPublisher<AuditSubscription, AuditEventContext> {
  readonly type = AUDIT_PUBLISHER_TYPE;
  private readonly flags: FlagSource;
  private readonly incompleteAfterMs: number;
  private readonly statusCheckMs: number;
  private readonly retryMs: number;
  private settings: AuditSettings | undefined;
  private arch: AuditArchName | undefined;
  private client: AuditClient | undefined;
  private reader: AuditReader | undefined;
  private assembler: AuditEventAssembler | undefined;
  private readonly parser = new AuditRecordParser();
  private readonly gaps = new SerialGapTracker();
  private rule: AuditRule | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private lastStatusCheck = 0;
  private lastRetry = 0;
  private kernelLost = 0;
  private kernelBacklog = 0;
  private readerOverrunsBefore = 0;
  private stopped = false;

  constructor(options: AuditPublisherOptions) {
    super();
    this.flags = options.flags;
    this.incompleteAfterMs = options.incompleteAfterMs ?? 5000;
    this.statusCheckMs = options.statusCheckMs ?? 10_000;
    this.retryMs = options.retryMs ?? 5000;
  }

  override async setUp(): Promise<void> {
    const settings = auditSettingsFromFlags(this.flags);
    if (settings.disableAudit) throw new Error('Publisher disabled via configuration (--disable_audit=true)');
    if (!anyAuditSourceAllowed(settings)) throw new Error('Publisher disabled: every --audit_allow_* source flag is false');
    if (process.platform !== 'linux') throw new Error(`the audit publisher needs Linux; this is ${process.platform}`);
    const arch = hostAuditArch();
    if (!arch) throw new Error(`the audit publisher has no syscall table for ${process.arch}`);
    this.settings = settings;
    this.arch = arch;
    this.client = AuditClient.open();
    const failureAllowed = new Set(FAILURE_ALLOWED_SYSCALLS.map((n) => syscallNumber(arch, n)).filter((n): n is number => n !== undefined));
    this.assembler = new AuditEventAssembler({
      failureAllowedSyscalls: failureAllowed,
      allowSelinux: settings.allowSelinuxEvents,
      allowApparmor: settings.allowApparmorEvents,
      allowSeccomp: settings.allowSeccompEvents,
      incompleteAfterMs: this.incompleteAfterMs,
    });
    this.setStatus('set up');
  }

  async start(): Promise<void> {
    const client = this.requireClient();
    const settings = this.settings!;
    if (settings.allowConfig) await this.configureKernel(client, settings);
    else {
      const status = await client.getStatus();
      if (status.enabled === 0) {
        this.logger.warn({ publisher: this.type }, 'Linux audit is disabled in the kernel: no syscall records will arrive (use --audit_allow_config=true or `auditctl -e 1`)');
      }
    }
    await this.openReader();
    this.ticker = setInterval(() => void this.tick(), Math.min(1000, this.incompleteAfterMs));
    this.ticker.unref();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.assembler) this.fireAll(this.assembler.flushAll());
    const client = this.client;
    this.client = undefined;
    this.reader = undefined;
    if (client) await client.close();
    this.setStatus('stopped');
  }

  stats(): AuditPublisherStats {
    const a = this.assembler?.stats;
    return {
      mode: this.reader?.mode ?? 'none',
      records: a?.records ?? 0,
      rejectedRecords: this.parser.rejected,
      events: a?.events ?? 0,
      incompleteEvents: a?.incomplete ?? 0,
      orphanRecords: a?.orphans ?? 0,
      droppedSyscalls: a?.droppedSyscalls ?? 0,
      readerOverruns: this.readerOverrunsBefore + (this.reader?.stats().overruns ?? 0),
      serialGapsLost: this.gaps.lost,
      kernelLost: this.kernelLost,
      kernelBacklog: this.kernelBacklog,
      ruleInstalled: this.rule !== undefined,
    };
  }

  /** Waits until records received so far are assembled and fired (tests). */
  async settle(ms = 50): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  private requireClient(): AuditClient {
    if (!this.client) throw new Error('the audit publisher is not set up (setUp() failed or stop() ran)');
    return this.client;
  }

  private async configureKernel(client: AuditClient, settings: AuditSettings): Promise<void> {
    const status = await client.getStatus();
    if (status.enabled === 2) {
      this.logger.warn({ publisher: this.type }, 'Linux audit is locked (enabled=2): rules and settings cannot change until reboot; reading only');
      return;
    }
    await client.setStatus({
      ...(status.enabled === 0 ? { enabled: 1 } : {}),
      backlogLimit: settings.backlogLimit,
      backlogWaitTime: settings.backlogWaitTime,
      failure: 0,
    });
    if (settings.forceReconfigure) {
      for (const rule of await client.listRules()) {
        try {
          await client.deleteRule(rule);
        } catch (error) {
          this.logger.warn({ publisher: this.type, err: String(error) }, 'could not delete an existing audit rule (--audit_force_reconfigure)');
        }
      }
    }
    const arch = this.arch!;
    const names = auditRuleSyscalls(settings).filter((name) => syscallNumber(arch, name) !== undefined);
    if (names.length === 0) return;
    const rule = syscallRule({ arch, syscalls: names });
    try {
      await client.addRule(rule);
      this.rule = rule;
    } catch (error) {
      if (error instanceof AuditError && error.code === 'EEXIST') {
        this.logger.info({ publisher: this.type }, 'the audit rule Quarry needs is already installed; using it');
      } else {
        this.logger.error({ publisher: this.type, err: String(error) }, `Failed to install the audit rule due to one or more syscalls with error ${String(error)}`);
      }
    }
  }

  private async openReader(): Promise<void> {
    const client = this.client;
    if (!client || this.stopped) return;
    const listen = this.settings!.listen;
    try {
      const reader = await client.openReader({ mode: listen });
      this.reader = reader;
      reader.on('batch', (messages) => this.takeBatch(messages));
      reader.on('error', (error) => this.logger.error({ publisher: this.type, err: String(error) }, 'audit reader error'));
      reader.on('close', () => {
        if (this.reader === reader) {
          this.readerOverrunsBefore += reader.stats().overruns;
          this.reader = undefined;
        }
      });
      this.setStatus(`listening (${reader.mode})`);
    } catch (error) {
      this.reader = undefined;
      this.lastRetry = Date.now();
      const text = `Failed to set the netlink owner (${listen}): ${String((error as Error).message)}; retrying every ${this.retryMs / 1000} s`;
      this.setStatus(text);
      this.logger.error({ publisher: this.type }, text);
    }
  }

  private takeBatch(messages: AuditMessage[]): void {
    if (this.stopped || !this.assembler) return;
    const now = Date.now();
    const records: AuditRecord[] = [];
    for (const message of messages) {
      if (this.settings?.debug) this.logger.debug({ publisher: this.type }, `${message.type}, ${message.text}`);
      const record = this.parser.parse(message.type, message.text);
      if (!record) continue;
      this.gaps.see(record.serial, now);
      records.push(record);
    }
    this.fireAll(this.assembler.push(records, now));
  }

  private fireAll(events: AssembledEvent[]): void {
    for (const event of events) {
      const names: string[] = [];
      for (const [subscriber, subscriptions] of this.subscriptions) {
        if (subscriptions.some((s) => s.kinds.includes(event.kind))) names.push(subscriber);
      }
      if (names.length > 0) this.fire(event, names);
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped || !this.assembler) return;
    const now = Date.now();
    this.fireAll(this.assembler.flushExpired(now));
    this.gaps.settle(now);
    if (!this.reader && now - this.lastRetry >= this.retryMs) {
      this.lastRetry = now;
      this.countRefresh();
      await this.openReader();
    }
    if (now - this.lastStatusCheck < this.statusCheckMs || !this.client) return;
    this.lastStatusCheck = now;
    try {
      const status = await this.client.getStatus();
      this.kernelLost = status.lost;
      this.kernelBacklog = status.backlog;
      const reader = this.reader;
      if (reader?.mode === 'unicast' && status.pid !== process.pid) {
        this.logger.warn({ publisher: this.type }, `Audit control lost to pid: ${status.pid}`);
        if (this.settings!.persist) {
          await reader.stop();
          this.reader = undefined;
          this.countRefresh();
          await this.openReader();
        }
      }
      const s = this.stats();
      this.setStatus(`listening (${s.mode}); kernel lost ${s.kernelLost}, backlog ${s.kernelBacklog}; serial gaps ${s.serialGapsLost}; socket overruns ${s.readerOverruns}; incomplete events ${s.incompleteEvents}`);
    } catch (error) {
      this.logger.warn({ publisher: this.type, err: String(error) }, 'could not read the kernel audit status');
    }
  }
}
