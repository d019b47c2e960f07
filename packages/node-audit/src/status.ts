// struct audit_status: what AUDIT_GET returns and AUDIT_SET takes.
import {
  AUDIT_STATUS_BACKLOG_LIMIT,
  AUDIT_STATUS_BACKLOG_WAIT_TIME,
  AUDIT_STATUS_ENABLED,
  AUDIT_STATUS_FAILURE,
  AUDIT_STATUS_PID,
  AUDIT_STATUS_RATE_LIMIT,
} from './constants.js';

export interface AuditStatus {
  /** 0 off, 1 on, 2 on and locked (immutable until reboot). */
  enabled: number;
  /** 0 silent, 1 printk, 2 panic when the kernel cannot deliver a record. */
  failure: number;
  /** The audit daemon's pid (0 when none): records go to its netlink socket. */
  pid: number;
  rateLimit: number;
  backlogLimit: number;
  lost: number;
  backlog: number;
  featureBitmap: number;
  backlogWaitTime: number;
  backlogWaitTimeActual: number;
}

/** Fields AUDIT_SET can change. */
export type AuditStatusChange = Partial<Pick<AuditStatus, 'enabled' | 'failure' | 'pid' | 'rateLimit' | 'backlogLimit' | 'backlogWaitTime'>>;

const FIELD_ORDER = [
  'mask', 'enabled', 'failure', 'pid', 'rateLimit', 'backlogLimit', 'lost', 'backlog', 'featureBitmap',
  'backlogWaitTime', 'backlogWaitTimeActual',
] as const;
export const AUDIT_STATUS_SIZE = FIELD_ORDER.length * 4;

const SETTABLE: ReadonlyArray<[keyof AuditStatusChange, number]> = [
  ['enabled', AUDIT_STATUS_ENABLED],
  ['failure', AUDIT_STATUS_FAILURE],
  ['pid', AUDIT_STATUS_PID],
  ['rateLimit', AUDIT_STATUS_RATE_LIMIT],
  ['backlogLimit', AUDIT_STATUS_BACKLOG_LIMIT],
  ['backlogWaitTime', AUDIT_STATUS_BACKLOG_WAIT_TIME],
];

/** Encodes an AUDIT_SET payload: the mask names exactly the fields given. Throws on values that are not u32. */
export function encodeStatusChange(change: AuditStatusChange): Buffer {
  const out = Buffer.alloc(AUDIT_STATUS_SIZE);
  let mask = 0;
  for (const [key, bit] of SETTABLE) {
    const value = change[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`audit status ${key} must be an integer from 0 to 4294967295, got ${String(value)}`);
    }
    mask |= bit;
    out.writeUInt32LE(value, FIELD_ORDER.indexOf(key) * 4);
  }
  if (mask === 0) throw new RangeError('audit status change names no field: give one of enabled, failure, pid, rateLimit, backlogLimit, backlogWaitTime');
  out.writeUInt32LE(mask >>> 0, 0);
  return out;
}

/** Decodes an AUDIT_GET reply. Older kernels send a shorter struct; missing fields read 0. Undefined if < 32 bytes. */
export function decodeStatus(payload: Uint8Array): AuditStatus | undefined {
  if (payload.length < 32) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const read = (i: number): number => (i * 4 + 4 <= payload.length ? view.getUint32(i * 4, true) : 0);
  return {
    enabled: read(1),
    failure: read(2),
    pid: read(3),
    rateLimit: read(4),
    backlogLimit: read(5),
    lost: read(6),
    backlog: read(7),
    featureBitmap: read(8),
    backlogWaitTime: read(9),
    backlogWaitTimeActual: read(10),
  };
}
