/**
 * The udev publisher (osquery type `udev`): device events from a NETLINK_KOBJECT_UEVENT socket, fired to the udev
 * subscribers (hardware_events) whose filters they pass.
 *
 * - Which group: when udevd runs (its control socket /run/udev/control exists) group 2, udevd's "libudev" messages,
 *   which carry the ID_* properties udev's rules and hwdb added — what osquery reads through libudev's monitor.
 *   Otherwise group 1, the kernel's raw uevents, enriched with what udev would add when that is cheap to read (see
 *   udev-enrichment.ts). The choice is made at setUp and shown in osquery_events.status.
 * - Runs whenever events are enabled: osquery has no flag of its own for this publisher (only --disable_events).
 * - Reading: a worker thread polls the socket (see uevent-reader-worker.ts); Node's event loop never blocks on it.
 * - Trust: on group 1 only datagrams from the kernel (sender port 0) count, on group 2 only those from a process
 *   (sending to either group needs CAP_NET_ADMIN); unicast datagrams are ignored. All of these are counted.
 * - A malformed datagram is counted, dropped and warned about at most once a minute; the publisher never throws
 *   for one. A receive-buffer overflow (ENOBUFS: the kernel dropped events) is counted as lost.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { EventPublisher, MalformedInputLog, type FlagSource } from '@quarry/events';
import { closeUeventSocket, openUeventSocket, UEVENT_GROUP_KERNEL, UEVENT_GROUP_UDEV, type UeventSocket } from './netlink-uevent-binding.js';
import { DEFAULT_ENRICHMENT_ROOTS, enrichKernelEvent, sysfsDriver, type EnrichmentRoots } from './udev-enrichment.js';
import { UDEV_PUBLISHER_TYPE, udevSubscriptionMatches, type UdevDeviceEvent, type UdevEventContext, type UdevSubscription } from './udev-event-context.js';
import { parseUeventDatagram, type ParsedUevent } from './uevent-message.js';
import type { ReceivedDatagram } from './uevent-reader-worker.js';

export const UDEV_CONTROL_PATH = '/run/udev/control';
const WARN_INTERVAL_MS = 60_000;

/** 'auto' (default): group 2 when udevd runs, else group 1. */
export type UeventGroupChoice = 'auto' | 'kernel' | 'udev';

export interface UdevPublisherOptions {
  flags: FlagSource;
  group?: UeventGroupChoice;
  /** udevd's control socket, whose presence means udevd runs (default /run/udev/control). */
  udevControlPath?: string;
  /** Where kernel events are enriched from (default /sys and /run/udev/data). */
  enrichmentRoots?: EnrichmentRoots;
  /** Reader poll timeout in ms: how long stop() may wait (default 200). */
  pollMs?: number;
  /** Minimum time between two malformed-datagram warnings in ms (default 60000). */
  warnIntervalMs?: number;
}

export interface UdevPublisherCounters {
  /** Datagrams received (every kind). */
  datagrams: number;
  /** Datagrams dropped as malformed, and why the last one was. */
  malformed: number;
  lastMalformedReason: string;
  /** Datagrams ignored for their sender (not the kernel on group 1, the kernel on group 2, or unicast). */
  ignored: number;
  /** Times the receive buffer overflowed (ENOBUFS): events the kernel dropped before Quarry read them. */
  overflows: number;
  /** Kernel events enriched from udev's database, and from sysfs. */
  enrichedFromDatabase: number;
  enrichedFromSysfs: number;
}

/** Turns a parsed message into the device event subscribers see (kernel events get udev's additions first). */
export function deviceEventFrom(parsed: ParsedUevent, roots: EnrichmentRoots = DEFAULT_ENRICHMENT_ROOTS): UdevDeviceEvent {
  const enriched = parsed.source === 'kernel' ? enrichKernelEvent(parsed.properties, roots) : { properties: parsed.properties, enrichment: 'none' as const };
  const p = enriched.properties;
  const devname = p.DEVNAME ?? '';
  const devpath = p.DEVPATH ?? '';
  return {
    action: p.ACTION ?? '',
    devpath,
    subsystem: p.SUBSYSTEM ?? '',
    devtype: p.DEVTYPE ?? '',
    devnode: devname === '' ? '' : devname.startsWith('/') ? devname : `/dev/${devname}`,
    driver: p.DRIVER ?? (p.ACTION === 'remove' ? '' : sysfsDriver(roots.sysfs, devpath)),
    properties: p,
    source: parsed.source,
    enrichment: enriched.enrichment,
  };
}

export class UdevPublisher extends EventPublisher<UdevSubscription, UdevEventContext> {
  readonly type = UDEV_PUBLISHER_TYPE;
  private readonly choice: UeventGroupChoice;
  private readonly controlPath: string;
  private readonly roots: EnrichmentRoots;
  private readonly pollMs: number;
  private readonly malformedInput: MalformedInputLog;
  private socket: UeventSocket | undefined;
  private groupReason = '';
  private worker: Worker | undefined;
  private workerStopped: Promise<void> | undefined;
  private readError = '';
  private readonly count: UdevPublisherCounters = {
    datagrams: 0, malformed: 0, lastMalformedReason: '', ignored: 0, overflows: 0, enrichedFromDatabase: 0, enrichedFromSysfs: 0,
  };

  constructor(options: UdevPublisherOptions) {
    super();
    this.choice = options.group ?? 'auto';
    this.controlPath = options.udevControlPath ?? UDEV_CONTROL_PATH;
    this.roots = options.enrichmentRoots ?? DEFAULT_ENRICHMENT_ROOTS;
    this.pollMs = options.pollMs ?? 200;
    this.malformedInput = new MalformedInputLog(options.warnIntervalMs ?? WARN_INTERVAL_MS);
  }

  /** The netlink group listened to (1 kernel, 2 udev), or undefined before setUp. */
  get group(): number | undefined {
    return this.socket?.group;
  }

  counters(): UdevPublisherCounters {
    return { ...this.count };
  }

  override async setUp(): Promise<void> {
    if (process.platform !== 'linux') throw new Error(`the udev publisher reads Linux netlink uevents (this is ${process.platform})`);
    let group: number;
    if (this.choice === 'kernel') {
      group = UEVENT_GROUP_KERNEL;
      this.groupReason = 'kernel uevents, as asked';
    } else if (this.choice === 'udev') {
      group = UEVENT_GROUP_UDEV;
      this.groupReason = 'udevd events, as asked';
    } else if (existsSync(this.controlPath)) {
      group = UEVENT_GROUP_UDEV;
      this.groupReason = `udevd events: udevd runs (${this.controlPath} exists)`;
    } else {
      group = UEVENT_GROUP_KERNEL;
      this.groupReason = `kernel uevents: udevd is not running (${this.controlPath} is missing), so hwdb names are not available`;
    }
    try {
      this.socket = openUeventSocket(group);
    } catch (error) {
      throw new Error(`cannot listen for device events: ${(error as Error).message}`);
    }
  }

  /** osquery_events.status: the group and why, datagrams, malformed/ignored/lost counts. */
  override get status(): string {
    const socket = this.socket;
    if (!socket) return 'not set up';
    const parts = [`${this.readError ? `reading failed (${this.readError})` : this.worker ? 'reading' : 'opened'} netlink group ${socket.group} (${this.groupReason})`];
    parts.push(`${this.count.datagrams} datagram(s)`);
    if (this.count.enrichedFromDatabase + this.count.enrichedFromSysfs > 0) {
      parts.push(`enriched from /run/udev/data ${this.count.enrichedFromDatabase}, from sysfs ${this.count.enrichedFromSysfs}`);
    }
    if (this.count.malformed > 0) parts.push(`${this.count.malformed} malformed datagram(s) dropped, last: ${this.count.lastMalformedReason}`);
    if (this.count.ignored > 0) parts.push(`${this.count.ignored} datagram(s) ignored for their sender`);
    if (this.count.overflows > 0) parts.push(`receive buffer overflowed ${this.count.overflows} time(s): device events were lost`);
    return parts.join('; ');
  }

  async start(): Promise<void> {
    const socket = this.socket;
    if (!socket) throw new Error('the udev publisher was not set up');
    const worker = new Worker(new URL('./uevent-reader-worker.js', import.meta.url), { workerData: { fd: socket.fd, pollMs: this.pollMs } });
    this.worker = worker;
    this.workerStopped = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: { kind: string; batch?: ReceivedDatagram[]; count?: number; message?: string }) => {
      if (message.kind === 'datagrams') {
        this.countRefresh();
        for (const datagram of message.batch ?? []) this.receive(datagram);
      } else if (message.kind === 'overflow') {
        this.count.overflows += message.count ?? 1;
        this.logger.warn({ publisher: this.type, overflows: this.count.overflows }, 'uevent socket receive buffer overflowed: device events were lost');
      } else if (message.kind === 'error') {
        this.readError = message.message ?? 'unknown error';
        this.logger.error({ publisher: this.type, err: this.readError }, 'reading device events failed');
      }
    });
    worker.on('error', (error) => {
      this.readError = `the uevent reader thread failed: ${error.message}`;
      this.logger.error({ publisher: this.type, err: this.readError }, 'reading device events failed');
    });
    worker.unref();
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.pollMs * 5 + 500)));
      await Promise.race([this.workerStopped, timeout]);
      clearTimeout(timer);
      await worker.terminate().catch(() => undefined);
    }
    if (this.socket) closeUeventSocket(this.socket.fd);
    this.socket = undefined;
  }

  private receive(datagram: ReceivedDatagram): void {
    const group = this.socket?.group ?? UEVENT_GROUP_KERNEL;
    this.count.datagrams++;
    if (datagram.groups === 0) return this.ignore();
    if (group === UEVENT_GROUP_KERNEL ? datagram.senderPort !== 0 : datagram.senderPort === 0) return this.ignore();
    if (datagram.length > datagram.data.byteLength) {
      this.malformed(`a datagram of ${datagram.length} bytes was truncated to ${datagram.data.byteLength}`, '');
      return;
    }
    this.handleDatagram(new Uint8Array(datagram.data));
  }

  private ignore(): void {
    this.count.ignored++;
  }

  /** Parses one datagram and fires it to the matching subscribers; a malformed one is counted. Never throws. */
  handleDatagram(data: Uint8Array): void {
    const parsed = parseUeventDatagram(data);
    if (!parsed.ok) {
      this.malformed(parsed.reason, Buffer.from(data.subarray(0, 120)).toString('latin1').replace(/\0/g, '\\0'));
      return;
    }
    let event: UdevDeviceEvent;
    try {
      event = deviceEventFrom(parsed.event, this.roots);
    } catch (error) {
      this.malformed(`could not build the event: ${(error as Error).message}`, '');
      return;
    }
    if (event.enrichment === 'udev-database') this.count.enrichedFromDatabase++;
    else if (event.enrichment === 'sysfs') this.count.enrichedFromSysfs++;
    const subscribers: string[] = [];
    for (const [name, subscriptions] of this.subscriptions) {
      if (subscriptions.some((subscription) => udevSubscriptionMatches(subscription, event))) subscribers.push(name);
    }
    this.fire(event, subscribers);
  }

  private malformed(reason: string, sample: string): void {
    this.count.malformed++;
    this.count.lastMalformedReason = reason;
    const dropped = this.malformedInput.record(reason);
    if (dropped === undefined) return;
    this.logger.warn(
      { publisher: this.type, malformed: this.count.malformed, sinceLastWarning: dropped, sample },
      `udev: dropped ${dropped} malformed uevent datagram(s) (${reason})`,
    );
  }
}
