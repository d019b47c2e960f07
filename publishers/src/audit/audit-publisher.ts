/**
 * The Linux audit publisher (osquery type `auditeventpublisher`). It opens NETLINK_AUDIT through node-audit, may
 * configure the kernel (--audit_allow_config: enable audit, backlog settings, one exit rule for the syscalls the
 * allowed subscribers need), receives records on a worker thread (--audit_listen: unicast owns the audit pid as
 * osquery does; multicast listens beside auditd; auto picks), assembles them into events and fires them to the
 * subscribers that asked for their kind. On stop it puts the kernel back exactly as it found it, and never turns
 * audit off if it was on (osquery#5381). Loss and rejects are counted (counters()) and shown in osquery_events.
 */
import { readFileSync } from 'node:fs';
import { EventPublisher } from '@quarry/events';
import {
  AuditClient, AuditError, AuditRecordParser, formatRule, hostAuditArch, processIsRunning, syscallNumber, syscallRule,
  type AuditArchName, type AuditMessage, type AuditReader, type AuditRecord, type AuditRule, type AuditStatus,
} from 'node-audit';
import { AuditEventAssembler, type AssembledEvent } from './audit-event-assembler.js';
import { AUDIT_PUBLISHER_TYPE, type AuditEventContext, type AuditSubscription } from './audit-event-context.js';
import {
  anyAuditSourceAllowed, auditRuleSyscalls, auditSettingsFromFlags, FAILURE_ALLOWED_SYSCALLS, type AuditSettings,
} from './audit-flags.js';
import { planAuditConfiguration } from './audit-kernel-plan.js';
import { fimFacts, isFimSyscall, type AuditFimFacts } from './audit-fim-event.js';
import { FIM_RULE_KEY, FimPathMatcher, planFimRules, type FimRulePlan } from './audit-fim-rules.js';
import type { FileSubscription } from '@quarry/events';
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
  /** Grace time before a missing serial counts as lost in multicast mode, in ms (default 5000). */
  serialGraceMs?: number;
}

/**
 * Every number the publisher keeps, for osquery_events, quarry_buffers and /metrics. All counters are totals since
 * the publisher started (monotonic) except kernelBacklog and pendingEvents (gauges) and kernelLostTotal (the
 * kernel's own counter since boot).
 */
export interface AuditPublisherCounters {
  /** 'unicast' (Quarry holds the audit pid), 'multicast' (read-log group beside another daemon) or 'none'. */
  mode: 'unicast' | 'multicast' | 'none';
  /** Quarry changed the kernel's audit settings (--audit_allow_config and not immutable). */
  configured: boolean;
  /** Read-only, and why (empty when configured). */
  readOnlyReason: string;
  /** The pid of the other audit daemon Quarry reads beside (multicast), 0 otherwise. */
  otherDaemonPid: number;
  /** Netlink messages received. */
  records: number;
  /** Records the parser rejected (no audit(...) header, bad serial, garbage): malformed. */
  malformedRecords: number;
  /** Netlink datagrams whose framing was truncated or garbage (reader). */
  malformedDatagrams: number;
  /** SYSCALL records missing a required field or not numeric (malformed for assembly), failed syscalls, own pid. */
  droppedSyscalls: number;
  /** Records of a type the publisher does not pass on (control, daemon, CONFIG_CHANGE, disabled SELinux/AppArmor/seccomp). */
  filteredRecords: number;
  /** Records that belonged to no started event. */
  orphanRecords: number;
  /** Events fired to subscribers. */
  events: number;
  /** Events flushed without their EOE record. */
  incompleteEvents: number;
  /** Events waiting for their EOE now (gauge). */
  pendingEvents: number;
  /** Receive-buffer overruns (ENOBUFS): records the kernel could not hand to Quarry's socket. */
  readerOverruns: number;
  /**
   * Times the reader thread stopped receiving because the main thread had not handled its earlier batches yet
   * (bounded hand-over): meanwhile the kernel holds the records, and counts what it drops in kernelLost.
   */
  readerPauses: number;
  /** Multicast only: serial numbers that never arrived (an upper bound of records lost to Quarry). */
  serialGapsLost: number;
  /** Kernel `lost` counted since the publisher started (records dropped by the kernel: backlog full, rate limit). */
  kernelLost: number;
  /** The kernel's `lost` counter (since boot). */
  kernelLostTotal: number;
  /** The kernel's queue length at the last status check (gauge). */
  kernelBacklog: number;
  /** Exceptions caught while handling a batch (should stay 0; the batch's other records are still handled). */
  internalErrors: number;
  ruleInstalled: boolean;
}

const RECEIVE_BUFFER_BYTES = 32 * 1024 * 1024;

/**
 * process_file_events' subscription: the `file_paths` / `exclude_paths` entries of the config (file_events' contract).
 * The publisher turns them into kernel rules (audit-fim-rules.ts) and sends an event to this subscriber only when
 * its path matches, with the facts attached as `fim` (AuditFimEventContext).
 */
export interface AuditFimSubscription extends AuditSubscription {
  fim: { files: readonly FileSubscription[] };
}

function fimPart(subscription: AuditSubscription): AuditFimSubscription['fim'] | undefined {
  return (subscription as Partial<AuditFimSubscription>).fim;
}

const FIM_KEY_FIELD = `"${FIM_RULE_KEY}"`;

function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

function isPermissionError(error: unknown): boolean {
  return error instanceof AuditError && (error.code === 'EPERM' || error.code === 'EACCES');
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
  private readonly gaps: SerialGapTracker;
  private rule: AuditRule | undefined;
  private ruleFoundInstalled: AuditRule | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private lastStatusCheck = 0;
  /** A stale audit pid (its process gone, e.g. a killed audit daemon) found at start(), until the reader takes over. */
  private stalePidAtStart = 0;
  private lastRetry = 0;
  private kernelLostAtStart: number | undefined;
  private kernelLostTotal = 0;
  private kernelBacklog = 0;
  private readerOverrunsBefore = 0;
  private readerMalformedBefore = 0;
  private readerPausesBefore = 0;
  private internalErrors = 0;
  private configured = false;
  private readOnlyReason = '';
  private otherDaemonPid = 0;
  private listenProblem = '';
  private stopped = false;
  /** FIM: the plan of the last configure(), the rules installed from it, and those found already installed. */
  private fimPlan: FimRulePlan | undefined;
  private fimMatchers = new Map<string, FimPathMatcher>();
  private fimRulesInstalled: AuditRule[] = [];
  private fimRulesFound: AuditRule[] = [];
  private kernelConfigured = false;
  private lastUntrackedWarning = 0;

  constructor(options: AuditPublisherOptions) {
    super();
    this.flags = options.flags;
    this.incompleteAfterMs = options.incompleteAfterMs ?? 5000;
    this.statusCheckMs = options.statusCheckMs ?? 10_000;
    this.retryMs = options.retryMs ?? 5000;
    this.gaps = new SerialGapTracker(options.serialGraceMs ?? 5000);
  }

  override async setUp(): Promise<void> {
    const settings = auditSettingsFromFlags(this.flags);
    if (settings.disableAudit) throw new Error('Publisher disabled via configuration (--disable_audit=true)');
    if (!anyAuditSourceAllowed(settings)) throw new Error('Publisher disabled: every --audit_allow_* source flag is false');
    if (process.platform !== 'linux') throw new Error(`the audit publisher needs Linux; this is ${process.platform}`);
    const arch = hostAuditArch();
    if (!arch) throw new Error(`the audit publisher has no syscall table for ${process.arch}`);
    let client: AuditClient;
    let status: AuditStatus;
    try {
      client = AuditClient.open();
    } catch (error) {
      throw new Error(`cannot open the kernel's audit netlink socket: ${String((error as Error).message)}`);
    }
    try {
      status = await client.getStatus();
    } catch (error) {
      await client.close().catch(() => undefined);
      if (isPermissionError(error)) {
        throw new Error(`the audit publisher needs root: the kernel refused to show its audit status to uid ${process.geteuid?.() ?? '?'} `
          + '(EPERM; CAP_AUDIT_CONTROL and CAP_AUDIT_READ are needed). Run Quarry as root, or leave --disable_audit=true; other tables keep working');
      }
      throw new Error(`cannot read the kernel's audit status: ${String((error as Error).message)}`);
    }
    this.settings = settings;
    this.arch = arch;
    this.client = client;
    this.kernelLostAtStart = status.lost;
    this.kernelLostTotal = status.lost;
    this.kernelBacklog = status.backlog;
    const failureAllowed = new Set(FAILURE_ALLOWED_SYSCALLS.map((n) => syscallNumber(arch, n)).filter((n): n is number => n !== undefined));
    this.assembler = new AuditEventAssembler({
      failureAllowedSyscalls: failureAllowed,
      // Records the kernel emits without rules: passed on as one-record events only when their flag allows them,
      // otherwise counted in filteredRecords (never as errors).
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
    const status = await client.getStatus();
    this.stalePidAtStart = status.pid !== 0 && status.pid !== process.pid && !processIsRunning(status.pid) ? status.pid : 0;
    const plan = planAuditConfiguration(status, settings);
    if (plan.kind === 'configure') {
      try {
        await this.configureKernel(client, plan.change, settings);
        this.configured = true;
        this.kernelConfigured = true;
        await this.applyFimRules();
        this.logger.info({ publisher: this.type }, `Linux audit ${plan.summary}`);
      } catch (error) {
        if (!isPermissionError(error)) throw error;
        this.readOnlyReason = `read-only: the kernel refused to change its audit configuration (${String((error as Error).message)})`;
        this.logger.warn({ publisher: this.type }, this.readOnlyReason);
      }
    } else {
      this.readOnlyReason = plan.reason;
      if (settings.allowFimEvents && (this.fimPlan?.targets.length ?? 0) > 0) {
        this.logger.warn({ publisher: this.type }, `process_file_events installs no rules while Linux audit is ${plan.reason}; add them yourself, e.g. `
          + this.fimPlan!.targets.map((t) => `auditctl -w ${t.target} -p ${settings.fimShowAccesses ? 'rw' : 'w'} -k ${FIM_RULE_KEY}`).join('; '));
      }
      if (plan.recordsExpected) this.logger.info({ publisher: this.type }, `Linux audit ${plan.reason}`);
      else this.logger.warn({ publisher: this.type }, `Linux audit ${plan.reason}`);
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
    if (client) {
      if (this.ruleFoundInstalled && this.settings?.forceUnconfigure) {
        try {
          await client.deleteRule(this.ruleFoundInstalled);
        } catch (error) {
          this.logger.warn({ publisher: this.type, err: String(error) }, 'could not delete the audit rule (--audit_force_unconfigure)');
        }
      }
      await client.close();
    }
    this.setStatus('stopped');
  }

  /**
   * Applies process_file_events' subscriptions (initial config and every reload): plans the FIM rules and path
   * matchers, and once the kernel is configured installs the rules the plan adds and deletes those it dropped.
   */
  override async configure(): Promise<void> {
    const settings = this.settings;
    if (!settings) return;
    const files: FileSubscription[] = [];
    const matchers = new Map<string, FimPathMatcher>();
    if (settings.allowFimEvents) {
      for (const [subscriber, subscriptions] of this.subscriptions) {
        const own = subscriptions.flatMap((s) => fimPart(s)?.files ?? []);
        if (!subscriptions.some((s) => fimPart(s) !== undefined)) continue;
        matchers.set(subscriber, planFimRules(own, settings.fimShowAccesses).matcher);
        files.push(...own);
      }
    }
    const plan = planFimRules(files, settings.fimShowAccesses);
    for (const warning of plan.warnings) this.logger.warn({ publisher: this.type }, warning);
    if (settings.fimDebug) {
      this.logger.info({ publisher: this.type }, `process_file_events rule plan: ${plan.targets.map((t) => `${t.kind}=${t.target}`).join(', ') || 'no rules'}`);
    }
    this.fimPlan = plan;
    this.fimMatchers = matchers;
    if (this.kernelConfigured) {
      await this.applyFimRules();
      this.refreshStatusText();
    }
  }

  /** FIM rules currently installed by this publisher (tests and status). */
  fimRules(): AuditRule[] {
    return [...this.fimRulesInstalled];
  }

  /** Every number the publisher keeps (see AuditPublisherCounters); cheap, for status tables and /metrics. */
  counters(): AuditPublisherCounters {
    const a = this.assembler?.stats;
    const reader = this.reader?.stats();
    return {
      mode: this.reader?.mode ?? 'none',
      configured: this.configured,
      readOnlyReason: this.readOnlyReason,
      otherDaemonPid: this.otherDaemonPid,
      records: a?.records ?? 0,
      malformedRecords: this.parser.rejected,
      malformedDatagrams: this.readerMalformedBefore + (reader?.malformed ?? 0),
      droppedSyscalls: a?.droppedSyscalls ?? 0,
      filteredRecords: a?.filtered ?? 0,
      orphanRecords: a?.orphans ?? 0,
      events: a?.events ?? 0,
      incompleteEvents: a?.incomplete ?? 0,
      pendingEvents: this.assembler?.pendingCount ?? 0,
      readerOverruns: this.readerOverrunsBefore + (reader?.overruns ?? 0),
      readerPauses: this.readerPausesBefore + (reader?.pauses ?? 0),
      serialGapsLost: this.gaps.lost,
      kernelLost: Math.max(0, this.kernelLostTotal - (this.kernelLostAtStart ?? this.kernelLostTotal)),
      kernelLostTotal: this.kernelLostTotal,
      kernelBacklog: this.kernelBacklog,
      internalErrors: this.internalErrors,
      ruleInstalled: this.rule !== undefined,
    };
  }

  /** Reads the kernel's lost/backlog now and refreshes the status text (tests; the ticker does it every statusCheckMs). */
  async refreshKernelStatus(): Promise<AuditPublisherCounters> {
    this.lastStatusCheck = 0;
    await this.tick();
    return this.counters();
  }

  /**
   * Handles one batch of netlink messages as the reader delivers them: parse, assemble, fire. Never throws: a
   * record the parser rejects is counted in malformedRecords, an unexpected exception in internalErrors.
   */
  handleMessages(messages: readonly AuditMessage[]): void {
    if (this.stopped || !this.assembler) return;
    const now = Date.now();
    const multicast = this.reader?.mode === 'multicast';
    const records: AuditRecord[] = [];
    for (const message of messages) {
      try {
        if (this.settings?.debug) this.logger.debug({ publisher: this.type }, `${message.type}, ${message.text}`);
        const record = this.parser.parse(message.type, message.text);
        if (!record) continue;
        if (multicast) this.gaps.see(record.serial, now);
        records.push(record);
      } catch {
        this.internalErrors++;
      }
    }
    let events: AssembledEvent[] = [];
    try {
      events = this.assembler.push(records, now);
    } catch {
      this.internalErrors++;
    }
    this.fireAll(events);
  }

  /** Makes the kernel's FIM rules those of the current plan: deletes dropped ones, adds new ones. */
  private async applyFimRules(): Promise<void> {
    const client = this.client;
    if (!client || this.stopped) return;
    const wanted = this.fimPlan?.rules ?? [];
    const same = (a: AuditRule, b: AuditRule): boolean => JSON.stringify(a) === JSON.stringify(b);
    for (const rule of this.fimRulesInstalled.filter((r) => !wanted.some((w) => same(w, r)))) {
      try {
        await client.deleteRule(rule);
      } catch (error) {
        this.logger.warn({ publisher: this.type, err: String(error) }, `could not delete the audit rule ${formatRule(rule)}`);
      }
      this.fimRulesInstalled = this.fimRulesInstalled.filter((r) => r !== rule);
    }
    this.fimRulesFound = this.fimRulesFound.filter((r) => wanted.some((w) => same(w, r)));
    for (const rule of wanted) {
      if (this.fimRulesInstalled.some((r) => same(r, rule)) || this.fimRulesFound.some((r) => same(r, rule))) continue;
      try {
        await client.addRule(rule);
        this.fimRulesInstalled.push(rule);
      } catch (error) {
        if (error instanceof AuditError && error.code === 'EEXIST') {
          this.fimRulesFound.push(rule);
          this.logger.info({ publisher: this.type }, `the audit rule ${formatRule(rule)} is already installed; using it (left in place on exit)`);
        } else {
          this.logger.error({ publisher: this.type, err: String(error) }, `Failed to install the process_file_events audit rule ${formatRule(rule)}: ${String(error)}`);
        }
      }
    }
  }

  private requireClient(): AuditClient {
    if (!this.client) throw new Error('the audit publisher is not set up (setUp() failed or stop() ran)');
    return this.client;
  }

  private async configureKernel(client: AuditClient, change: Parameters<AuditClient['setStatus']>[0], settings: AuditSettings): Promise<void> {
    await client.setStatus(change);
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
        this.ruleFoundInstalled = rule;
        this.logger.info({ publisher: this.type }, 'the audit rule Quarry needs is already installed; using it (left in place on exit unless --audit_force_unconfigure)');
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
      const before = await client.getStatus();
      // A large receive buffer absorbs bursts (exec storms) while the reader thread waits for a core: what does not
      // fit there stays in the kernel's backlog, and beyond backlog_limit the kernel drops it (lost).
      const reader = await client.openReader({ mode: listen, receiveBufferBytes: RECEIVE_BUFFER_BYTES });
      if (this.stopped) {
        await reader.stop();
        return;
      }
      this.reader = reader;
      this.listenProblem = '';
      reader.on('batch', (messages) => this.handleMessages(messages));
      reader.on('error', (error) => this.logger.error({ publisher: this.type, err: String(error) }, 'audit reader error'));
      reader.on('close', () => {
        if (this.reader === reader) {
          const s = reader.stats();
          this.readerOverrunsBefore += s.overruns;
          this.readerMalformedBefore += s.malformed;
          this.readerPausesBefore += s.pauses;
          this.reader = undefined;
        }
      });
      if (reader.mode === 'multicast') {
        this.otherDaemonPid = before.pid !== process.pid ? before.pid : 0;
        const holder = this.otherDaemonPid === 0 ? 'no process holds the audit pid'
          : processIsRunning(this.otherDaemonPid) ? `another audit daemon (pid ${this.otherDaemonPid}, ${processName(this.otherDaemonPid)}) holds the audit pid`
            : `the audit pid ${this.otherDaemonPid} is stale (its process no longer runs)`;
        this.logger.warn({ publisher: this.type, auditPid: this.otherDaemonPid }, `${holder}: Quarry reads audit records through the multicast read-log group `
          + '(read-only listener; the kernel\'s lost counter does not cover it, so serial-number gaps are counted instead)');
      } else {
        this.otherDaemonPid = 0;
        // Enabling audit (start()) may already have made the kernel drop the stale pid: name the one found at start.
        const stale = before.pid !== 0 && before.pid !== process.pid ? before.pid : this.stalePidAtStart;
        this.stalePidAtStart = 0;
        if (stale !== 0) {
          this.logger.warn({ publisher: this.type, stalePid: stale }, `took over the audit pid ${stale}, left by a process that no longer runs `
            + '(an audit daemon killed without unregistering); Quarry gives back 0 when it stops');
        }
        this.logger.info({ publisher: this.type }, 'Quarry holds the audit pid (unicast): records come to its netlink socket');
      }
      this.refreshStatusText();
    } catch (error) {
      this.reader = undefined;
      this.lastRetry = Date.now();
      const permission = isPermissionError(error) ? ' (multicast needs CAP_AUDIT_READ, unicast CAP_AUDIT_CONTROL: run as root)' : '';
      this.listenProblem = `Failed to set the netlink owner (${listen}): ${String((error as Error).message)}${permission}; retrying every ${this.retryMs / 1000} s`;
      this.refreshStatusText();
      this.logger.error({ publisher: this.type }, this.listenProblem);
    }
  }

  /** osquery_events' status text for this publisher: how it listens, what it may change, and every loss counter. */
  private refreshStatusText(): void {
    const c = this.counters();
    const how = this.listenProblem
      ? this.listenProblem
      : c.mode === 'multicast'
        ? `listening (multicast read-log group${c.otherDaemonPid > 0 ? ` beside audit daemon pid ${c.otherDaemonPid}` : ''})`
        : c.mode === 'unicast' ? 'listening (unicast, Quarry holds the audit pid)' : 'not listening';
    const fim = this.fimRulesInstalled.length + this.fimRulesFound.length;
    const config = c.configured
      ? `configured${c.ruleInstalled ? ', rule installed' : ''}${fim > 0 ? `, ${fim} process_file_events rule${fim === 1 ? '' : 's'}` : ''}`
      : c.readOnlyReason;
    const loss = `kernel lost ${c.kernelLost} since start (${c.kernelLostTotal} since boot), backlog ${c.kernelBacklog}; `
      + `socket overruns ${c.readerOverruns}, reader pauses ${c.readerPauses}; ${c.mode === 'multicast' ? `serial gaps ${c.serialGapsLost}; ` : ''}`
      + `malformed records ${c.malformedRecords}, malformed datagrams ${c.malformedDatagrams}; incomplete events ${c.incompleteEvents}`;
    this.setStatus(`${how}; ${config}; ${loss}`);
  }

  private fireAll(events: AssembledEvent[]): void {
    for (const event of events) {
      // Events of Quarry's FIM rules go to process_file_events only (and only when their path matches).
      const fimKeyed = event.kind === 'syscall' && event.records[0]?.fields.get('key') === FIM_KEY_FIELD;
      const names: string[] = [];
      let facts: AuditFimFacts | undefined | null = null;
      for (const [subscriber, subscriptions] of this.subscriptions) {
        if (subscriptions.some((s) => fimPart(s) !== undefined)) {
          const matcher = this.fimMatchers.get(subscriber);
          if (!matcher || event.kind !== 'syscall' || !event.syscall || !isFimSyscall(event.syscall.name)) continue;
          if (facts === null) facts = fimFacts(event);
          if (facts && this.fimWanted(facts, matcher, fimKeyed)) names.push(subscriber);
        } else if (!fimKeyed && subscriptions.some((s) => s.kinds.includes(event.kind))) {
          names.push(subscriber);
        }
      }
      if (facts) (event as AssembledEvent & { fim?: AuditFimFacts }).fim = facts;
      if (this.settings?.fimDebug && fimKeyed) {
        this.logger.info({ publisher: this.type }, `process_file_events ${event.auditId} ${event.syscall?.name ?? ''}: `
          + (facts ? `${facts.operation} ${facts.path}${facts.destPath ? ` -> ${facts.destPath}` : ''}${facts.partial ? ' (partial)' : ''}` : 'not a reported file operation')
          + ` → ${names.length > 0 ? names.join(', ') : 'dropped (no pattern matches, excluded, access or partial not shown)'}`);
      }
      if (names.length > 0) this.fire(event, names);
    }
  }

  /** Whether process_file_events wants these facts: accesses and partial rows by flag, paths by pattern and excludes. */
  private fimWanted(facts: AuditFimFacts, matcher: FimPathMatcher, fimKeyed: boolean): boolean {
    const settings = this.settings!;
    if (facts.access && !settings.fimShowAccesses) return false;
    if (facts.partial) {
      const now = Date.now();
      if (settings.showUntrackedResWarnings && now - this.lastUntrackedWarning >= 60_000) {
        this.lastUntrackedWarning = now;
        this.logger.warn({ publisher: this.type }, `process_file_events: "${facts.path}" is relative to a directory fd the process no longer has; `
          + `row marked partial${settings.showPartialFimEvents ? '' : ' and dropped (--audit_show_partial_fim_events=false)'}`);
      }
      if (!settings.showPartialFimEvents) return false;
      // Quarry's path-filtered rule matched, so the object is under a monitored directory; the exact pattern
      // cannot be checked on a relative name. Without that key nothing says the object is monitored at all.
      return fimKeyed;
    }
    return matcher.matches(facts.path) || (facts.destPath !== '' && matcher.matches(facts.destPath));
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
    if (now - this.lastStatusCheck >= this.statusCheckMs && this.client) {
      this.lastStatusCheck = now;
      try {
        const status = await this.client.getStatus();
        this.kernelLostTotal = status.lost;
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
      } catch (error) {
        this.logger.warn({ publisher: this.type, err: String(error) }, 'could not read the kernel audit status');
      }
    }
    this.refreshStatusText();
  }
}
