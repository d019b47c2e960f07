// AuditClient: the control side of the kernel audit subsystem (status, rules, userspace messages, readers), with
// restoration of everything it changed on close, SIGINT, SIGTERM, SIGHUP, uncaught errors and process exit.
import {
  AUDIT_ADD_RULE, AUDIT_DEL_RULE, AUDIT_GET, AUDIT_LIST_RULES, AUDIT_SET, AUDIT_USER,
} from './constants.js';
import { processIsRunning } from './audit-pid-holder.js';
import { AuditError } from './errors.js';
import { AuditReader, type AuditListenMode, type AuditReaderOptions } from './reader.js';
import { isUserMessageType } from './record-types.js';
import { decodeRule, encodeRule, type AuditRule } from './rules.js';
import { RestoreGuard } from './restore-guard.js';
import type { NetlinkMessage } from './netlink.js';
import { AuditSocket } from './socket.js';
import { decodeStatus, encodeStatusChange, type AuditStatus, type AuditStatusChange } from './status.js';
import { transact, transactSync, type Request } from './transaction.js';

export interface AuditClientOptions {
  /** Milliseconds to wait for each kernel answer (default 2000). */
  timeoutMs?: number;
  /**
   * Put back what this client changed when the process gets SIGINT, SIGTERM or SIGHUP, throws an uncaught error, or exits
   * (default true). After restoring, a signal nobody else listens to is raised again so the process still ends.
   */
  restoreOnExit?: boolean;
  /**
   * With restoreOnExit: also start a restore guard, a small child process that puts the state back if this process
   * ends without restoring (SIGKILL, a signal a worker thread cannot see, a crash). Default true.
   */
  guardProcess?: boolean;
}

export interface OpenReaderOptions extends Omit<AuditReaderOptions, 'mode'> {
  /** auto: unicast if no other audit daemon holds the pid (0, ours, or a stale pid of a process gone), else multicast. */
  mode: AuditListenMode | 'auto';
}

type SettableKey = keyof AuditStatusChange;
const SETTABLE_KEYS: readonly SettableKey[] = ['enabled', 'failure', 'rateLimit', 'backlogLimit', 'backlogWaitTime'];

export class AuditClient {
  private readonly socket: AuditSocket;
  private readonly timeoutMs: number;
  /** Status as found before this client's first change. */
  private found: AuditStatus | undefined;
  /** Status fields this client changed (pid is tracked through readers). */
  private readonly changed = new Set<SettableKey>();
  /** The value this client last set for each changed field (the guard only undoes fields still at these values). */
  private readonly setTo: AuditStatusChange = {};
  private guard: RestoreGuard | undefined;
  private readonly guardProcess: boolean;
  private readonly ownRules: AuditRule[] = [];
  private readonly readers = new Set<AuditReader>();
  private tookPid = false;
  private closed = false;
  private readonly restoreOnExit: boolean;
  private hooksInstalled = false;
  private readonly onSignal = (signal: NodeJS.Signals): void => this.handleSignal(signal);
  private readonly onFatal = (): void => this.restoreQuietly();

  private constructor(socket: AuditSocket, options: AuditClientOptions) {
    this.socket = socket;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.restoreOnExit = options.restoreOnExit ?? true;
    this.guardProcess = options.guardProcess ?? true;
  }

  /** Opens a control socket. Throws AuditError (EPROTONOSUPPORT without kernel audit). */
  static open(options: AuditClientOptions = {}): AuditClient {
    return new AuditClient(AuditSocket.open(), options);
  }

  // ---- status ---------------------------------------------------------------------------------------------------

  async getStatus(): Promise<AuditStatus> {
    return this.statusFrom(await transact(this.socket, this.request(AUDIT_GET, new Uint8Array(0), { kind: 'reply', type: AUDIT_GET }, 'get audit status')));
  }

  getStatusSync(): AuditStatus {
    return this.statusFrom(transactSync(this.socket, this.request(AUDIT_GET, new Uint8Array(0), { kind: 'reply', type: AUDIT_GET }, 'get audit status')));
  }

  /**
   * Changes status fields (enabled, failure, rateLimit, backlogLimit, backlogWaitTime). The values found before the
   * first change are put back by restore()/close(). Use openReader() rather than setting pid yourself.
   */
  async setStatus(change: AuditStatusChange): Promise<void> {
    this.assertOpen();
    const payload = this.checkedChange(change);
    this.found ??= await this.getStatus();
    this.markChanged(change);
    await transact(this.socket, this.request(AUDIT_SET, payload, { kind: 'ack' }, `set audit status (${Object.keys(change).join(', ')})`));
  }

  setStatusSync(change: AuditStatusChange): void {
    this.assertOpen();
    const payload = this.checkedChange(change);
    this.found ??= this.getStatusSync();
    this.markChanged(change);
    transactSync(this.socket, this.request(AUDIT_SET, payload, { kind: 'ack' }, `set audit status (${Object.keys(change).join(', ')})`));
  }

  /** The status found before this client's first change, if it changed anything. */
  foundStatus(): AuditStatus | undefined {
    return this.found ? { ...this.found } : undefined;
  }

  // ---- rules ----------------------------------------------------------------------------------------------------

  /** Adds a rule; it is deleted again by restore()/close(). */
  async addRule(rule: AuditRule): Promise<void> {
    this.assertOpen();
    const payload = encodeRule(rule);
    this.installHooks();
    this.ownRules.push(rule);
    this.syncGuard();
    try {
      await transact(this.socket, this.request(AUDIT_ADD_RULE, payload, { kind: 'ack' }, 'add audit rule'));
    } catch (error) {
      this.ownRules.splice(this.ownRules.indexOf(rule), 1);
      this.syncGuard();
      throw error;
    }
  }

  async deleteRule(rule: AuditRule): Promise<void> {
    this.assertOpen();
    const payload = encodeRule(rule);
    await transact(this.socket, this.request(AUDIT_DEL_RULE, payload, { kind: 'ack' }, 'delete audit rule'));
    const at = this.ownRules.findIndex((r) => encodeRule(r).equals(payload));
    if (at >= 0) {
      this.ownRules.splice(at, 1);
      this.syncGuard();
    }
  }

  /** Lists every rule in the kernel, in the order `auditctl -l` shows them. Rules that fail to decode are skipped. */
  async listRules(): Promise<AuditRule[]> {
    const replies = await transact(this.socket, this.request(AUDIT_LIST_RULES, new Uint8Array(0), { kind: 'multi', type: AUDIT_LIST_RULES }, 'list audit rules'));
    const rules: AuditRule[] = [];
    for (const reply of replies) {
      const decoded = decodeRule(reply.payload);
      if (decoded.ok) rules.push(decoded.rule);
    }
    return rules;
  }

  /** Rules this client added and has not deleted. */
  ownedRules(): AuditRule[] {
    return [...this.ownRules];
  }

  // ---- userspace messages ---------------------------------------------------------------------------------------

  /**
   * Sends a userspace audit message (AUDIT_USER 1005 by default, or any USER_* 1100-1199 / 2100-2999 type). The
   * kernel logs it as `... msg='<text>'` — only while audit is enabled.
   */
  async sendUserMessage(text: string, type: number = AUDIT_USER): Promise<void> {
    this.assertOpen();
    if (!isUserMessageType(type)) {
      throw new RangeError(`audit user message type must be 1005, 1100-1199 or 2100-2999, got ${type}`);
    }
    const payload = Buffer.from(`${text}\0`, 'utf8');
    await transact(this.socket, this.request(type, payload, { kind: 'ack' }, 'send audit user message'));
  }

  // ---- readers --------------------------------------------------------------------------------------------------

  /**
   * Starts receiving records on a worker thread. unicast takes the kernel audit pid (EEXIST if another daemon holds
   * it; a stale pid, left by a daemon that was killed, is taken over); multicast joins the read-log group; auto picks
   * unicast when the pid is free or stale, else multicast. The pid is given back as 0, never as the stale pid found:
   * the kernel accepts only the caller's own pid, and it would reset a dead one to 0 at its next record anyway.
   */
  async openReader(options: OpenReaderOptions): Promise<AuditReader> {
    this.assertOpen();
    let mode: AuditListenMode;
    if (options.mode === 'auto') {
      const status = await this.getStatus();
      mode = status.pid === 0 || status.pid === process.pid || !processIsRunning(status.pid) ? 'unicast' : 'multicast';
    } else {
      mode = options.mode;
    }
    if (mode === 'unicast') {
      this.found ??= await this.getStatus();
      this.installHooks();
    }
    let reader: AuditReader;
    try {
      reader = await AuditReader.start({ ...options, mode });
    } catch (error) {
      if (options.mode === 'auto' && mode === 'unicast' && error instanceof AuditError && error.code === 'EEXIST') {
        reader = await AuditReader.start({ ...options, mode: 'multicast' });
      } else throw error;
    }
    if (reader.mode === 'unicast') {
      this.tookPid = true;
      this.syncGuard();
    }
    this.readers.add(reader);
    reader.once('close', () => this.readers.delete(reader));
    return reader;
  }

  // ---- restore and close ----------------------------------------------------------------------------------------

  /**
   * The restore as a sequence of kernel requests, run by restore() (async) or restoreSync() (blocking): delete this
   * client's rules, put back the status fields it changed, release the audit pid if it still holds it. Each yielded
   * request is answered with the kernel's replies, or with the error it failed with (collected, not thrown).
   */
  private *restoreSteps(failures: Error[]): Generator<Request, void, NetlinkMessage[] | Error> {
    for (const rule of [...this.ownRules].reverse()) {
      const answer = yield this.request(AUDIT_DEL_RULE, encodeRule(rule), { kind: 'ack' }, 'delete audit rule');
      if (answer instanceof Error && !(answer instanceof AuditError && answer.code === 'ENOENT')) failures.push(answer);
    }
    this.ownRules.length = 0;
    const putBack = this.statusToPutBack();
    if (putBack) {
      const answer = yield this.request(AUDIT_SET, encodeStatusChange(putBack), { kind: 'ack' }, 'restore audit status');
      if (answer instanceof Error) failures.push(answer);
    }
    if (this.tookPid) {
      const status = yield this.request(AUDIT_GET, new Uint8Array(0), { kind: 'reply', type: AUDIT_GET }, 'get audit status');
      let failed = status instanceof Error ? status : undefined;
      if (!failed) {
        try {
          if (this.statusFrom(status as NetlinkMessage[]).pid === process.pid) {
            const answer = yield this.request(AUDIT_SET, encodeStatusChange({ pid: 0 }), { kind: 'ack' }, 'release the audit pid');
            if (answer instanceof Error) failed = answer;
          }
        } catch (error) {
          failed = error as Error;
        }
      }
      if (failed) failures.push(failed);
      else this.tookPid = false;
    }
    this.changed.clear();
    for (const key of SETTABLE_KEYS) delete this.setTo[key];
    this.found = undefined;
  }

  /** Stops readers, deletes this client's rules and puts back the status fields it changed. Throws the first failure after trying everything. */
  async restore(): Promise<void> {
    for (const reader of [...this.readers]) await reader.stop();
    const failures: Error[] = [];
    const steps = this.restoreSteps(failures);
    for (let step = steps.next(); !step.done; ) {
      let answer: NetlinkMessage[] | Error;
      try {
        answer = await transact(this.socket, step.value);
      } catch (error) {
        answer = error as Error;
      }
      step = steps.next(answer);
    }
    this.finishRestore(failures);
  }

  /** Synchronous restore for shutdown paths: blocks this thread up to the timeout per kernel request. */
  restoreSync(): void {
    for (const reader of this.readers) reader.requestStop();
    const failures: Error[] = [];
    const steps = this.restoreSteps(failures);
    for (let step = steps.next(); !step.done; ) {
      let answer: NetlinkMessage[] | Error;
      try {
        answer = transactSync(this.socket, step.value);
      } catch (error) {
        answer = error as Error;
      }
      step = steps.next(answer);
    }
    this.finishRestore(failures);
  }

  private finishRestore(failures: Error[]): void {
    if (failures.length > 0) throw failures[0];
    this.disarmGuard();
  }

  /** Restores (see restore()) and closes the control socket. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.restore();
    } finally {
      this.closed = true;
      this.removeHooks();
      this.socket.close();
    }
  }

  closeSync(): void {
    if (this.closed) return;
    try {
      this.restoreSync();
    } finally {
      this.closed = true;
      this.removeHooks();
      this.socket.close();
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- internals ------------------------------------------------------------------------------------------------

  private request(type: number, payload: Uint8Array, expect: Request['expect'], operation: string): Request {
    return { type, payload, expect, operation, timeoutMs: this.timeoutMs };
  }

  private statusFrom(replies: { payload: Uint8Array }[]): AuditStatus {
    const status = replies[0] ? decodeStatus(replies[0].payload) : undefined;
    if (!status) throw new AuditError('get audit status', 0, 'the kernel reply is shorter than struct audit_status');
    return status;
  }

  private checkedChange(change: AuditStatusChange): Buffer {
    if (change.pid !== undefined) {
      throw new RangeError('set the audit pid through openReader({ mode: "unicast" }): the kernel sends records to the socket that sets it');
    }
    return encodeStatusChange(change);
  }

  private markChanged(change: AuditStatusChange): void {
    for (const key of SETTABLE_KEYS) {
      if (change[key] === undefined) continue;
      this.changed.add(key);
      this.setTo[key] = change[key];
    }
    this.installHooks();
    this.syncGuard();
  }

  /** Tells the restore guard what it would have to undo now (starting it on the first change). */
  private syncGuard(): void {
    if (!this.restoreOnExit || !this.guardProcess) return;
    const putBack = this.statusToPutBack() ?? {};
    const rules = this.ownRules.map((r) => encodeRule(r).toString('hex'));
    if (!this.guard && Object.keys(putBack).length === 0 && rules.length === 0 && !this.tookPid) return;
    this.guard ??= RestoreGuard.start();
    this.guard?.update({ pid: process.pid, putBack, setTo: { ...this.setTo }, rules });
  }

  private disarmGuard(): void {
    this.guard?.disarm();
    this.guard = undefined;
  }

  /** Fields to put back. Never turns audit off when it was found on; a locked (enabled=2) kernel is left alone. */
  private statusToPutBack(): AuditStatusChange | undefined {
    const found = this.found;
    if (!found || this.changed.size === 0) return undefined;
    const change: AuditStatusChange = {};
    for (const key of this.changed) {
      if (key === 'enabled' && found.enabled === 2) continue;
      change[key] = found[key];
    }
    return Object.keys(change).length > 0 ? change : undefined;
  }

  private assertOpen(): void {
    if (this.closed) throw new AuditError('use the audit client', 9, 'it is already closed');
  }

  private installHooks(): void {
    if (!this.restoreOnExit || this.hooksInstalled) return;
    this.hooksInstalled = true;
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    process.on('SIGHUP', this.onSignal);
    process.on('uncaughtExceptionMonitor', this.onFatal);
    process.on('exit', this.onFatal);
  }

  private removeHooks(): void {
    if (!this.hooksInstalled) return;
    this.hooksInstalled = false;
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    process.off('SIGHUP', this.onSignal);
    process.off('uncaughtExceptionMonitor', this.onFatal);
    process.off('exit', this.onFatal);
  }

  private restoreQuietly(): void {
    if (this.closed) return;
    try {
      this.closeSync();
    } catch (error) {
      process.stderr.write(`node-audit: could not restore the audit state: ${(error as Error).message}\n`);
    }
  }

  private handleSignal(signal: NodeJS.Signals): void {
    // When the application handles this signal too, it owns what happens next (quarryd reloads its config on
    // SIGHUP and stops gracefully on SIGTERM, closing this client itself); the restore guard still covers a crash.
    if (process.listenerCount(signal) > 1) return;
    this.restoreQuietly();
    // Nobody else handles this signal: end the process as the default action would have.
    process.kill(process.pid, signal);
  }
}

/**
 * Releases the kernel audit pid if this process holds it (e.g. after a reader's worker died). Returns whether it did.
 * The kernel lets only the registered process unregister itself.
 */
export async function releaseAuditPidIfOwned(timeoutMs = 2000): Promise<boolean> {
  const socket = AuditSocket.open();
  try {
    const replies = await transact(socket, { type: AUDIT_GET, payload: new Uint8Array(0), expect: { kind: 'reply', type: AUDIT_GET }, operation: 'get audit status', timeoutMs });
    const status = replies[0] ? decodeStatus(replies[0].payload) : undefined;
    if (!status || status.pid !== process.pid) return false;
    await transact(socket, { type: AUDIT_SET, payload: encodeStatusChange({ pid: 0 }), expect: { kind: 'ack' }, operation: 'release the audit pid', timeoutMs });
    return true;
  } finally {
    socket.close();
  }
}
