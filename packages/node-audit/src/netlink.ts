// Encoding and decoding of netlink messages (struct nlmsghdr + payload). The decoder never throws: a malformed
// buffer yields the messages that were whole plus an error naming what was wrong.
import { NLMSG_ERROR, NLMSG_HDRLEN } from './constants.js';

export interface NetlinkMessage {
  /** nlmsg_type: a control type, NLMSG_ERROR/DONE, or an audit record type. */
  type: number;
  flags: number;
  seq: number;
  /** nlmsg_pid: the sender's port id (0 for the kernel). */
  portId: number;
  /** The payload (a view into the received buffer; copy it to keep it past the next receive). */
  payload: Uint8Array;
}

export interface NetlinkDecodeResult {
  messages: NetlinkMessage[];
  /** Problems found, e.g. "message 2 at byte 48: nlmsg_len 9000 exceeds the 60 bytes left". */
  errors: string[];
}

/** Rounds a length up to the 4-byte netlink alignment. */
export function netlinkAlign(length: number): number {
  return (length + 3) & ~3;
}

/** Builds one netlink message: a 16-byte header followed by the payload (padded to 4 bytes). */
export function encodeNetlinkMessage(type: number, flags: number, seq: number, payload: Uint8Array, portId = 0): Buffer {
  const length = NLMSG_HDRLEN + payload.length;
  const out = Buffer.alloc(netlinkAlign(length));
  out.writeUInt32LE(length, 0);
  out.writeUInt16LE(type, 4);
  out.writeUInt16LE(flags, 6);
  out.writeUInt32LE(seq >>> 0, 8);
  out.writeUInt32LE(portId >>> 0, 12);
  out.set(payload, NLMSG_HDRLEN);
  return out;
}

/** Splits a received datagram into netlink messages. Never throws. */
export function decodeNetlinkMessages(data: Uint8Array): NetlinkDecodeResult {
  const messages: NetlinkMessage[] = [];
  const errors: string[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  let index = 0;
  while (offset < data.byteLength) {
    const left = data.byteLength - offset;
    if (left < NLMSG_HDRLEN) {
      // Trailing padding shorter than a header is allowed if it is all zero bytes.
      if (data.subarray(offset).some((b) => b !== 0)) {
        errors.push(`message ${index} at byte ${offset}: ${left} bytes left, too short for a 16-byte netlink header`);
      }
      break;
    }
    const length = view.getUint32(offset, true);
    if (length < NLMSG_HDRLEN) {
      errors.push(`message ${index} at byte ${offset}: nlmsg_len ${length} is shorter than the 16-byte header`);
      break;
    }
    if (length > left) {
      errors.push(`message ${index} at byte ${offset}: nlmsg_len ${length} exceeds the ${left} bytes left (truncated)`);
      break;
    }
    messages.push({
      type: view.getUint16(offset + 4, true),
      flags: view.getUint16(offset + 6, true),
      seq: view.getUint32(offset + 8, true),
      portId: view.getUint32(offset + 12, true),
      payload: data.subarray(offset + NLMSG_HDRLEN, offset + length),
    });
    index++;
    offset += netlinkAlign(length);
  }
  return { messages, errors };
}

/**
 * Decodes one datagram received on an audit socket. Kernel audit records sent to the audit daemon (unicast) carry
 * an nlmsg_len that leaves out the 16-byte header (a long-standing kernel quirk that libaudit also works around);
 * multicast copies and control replies are framed normally. A datagram holding exactly one record whose length is
 * short by the header size is taken whole. Never throws.
 */
export function decodeAuditDatagram(data: Uint8Array): NetlinkDecodeResult {
  if (data.byteLength >= NLMSG_HDRLEN) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const length = view.getUint32(0, true);
    const type = view.getUint16(4, true);
    const isRecord = type >= 1000 && type !== NLMSG_ERROR;
    if (isRecord && length + NLMSG_HDRLEN <= data.byteLength && netlinkAlign(length + NLMSG_HDRLEN) >= data.byteLength && length + NLMSG_HDRLEN > data.byteLength - 4) {
      return {
        messages: [{
          type,
          flags: view.getUint16(6, true),
          seq: view.getUint32(8, true),
          portId: view.getUint32(12, true),
          payload: data.subarray(NLMSG_HDRLEN, NLMSG_HDRLEN + length),
        }],
        errors: [],
      };
    }
  }
  return decodeNetlinkMessages(data);
}

export interface NetlinkErrorPayload {
  /** 0 is an ACK; otherwise a positive errno (the kernel sends it negated). */
  errno: number;
  /** The type and seq of the request the kernel answers, when the payload carries its header. */
  requestType?: number;
  requestSeq?: number;
}

/** Reads an NLMSG_ERROR payload (int error; struct nlmsghdr msg). Returns undefined when it is too short. */
export function decodeNetlinkError(message: NetlinkMessage): NetlinkErrorPayload | undefined {
  if (message.type !== NLMSG_ERROR || message.payload.length < 4) return undefined;
  const view = new DataView(message.payload.buffer, message.payload.byteOffset, message.payload.byteLength);
  const result: NetlinkErrorPayload = { errno: -view.getInt32(0, true) };
  if (message.payload.length >= 4 + NLMSG_HDRLEN) {
    result.requestType = view.getUint16(8, true);
    result.requestSeq = view.getUint32(12, true);
  }
  return result;
}

/** Text of an audit record payload: bytes up to the first NUL, trailing newlines removed. */
export function payloadText(payload: Uint8Array): string {
  let end = payload.indexOf(0);
  if (end < 0) end = payload.length;
  while (end > 0 && (payload[end - 1] === 0x0a || payload[end - 1] === 0x20)) end--;
  return Buffer.from(payload.buffer, payload.byteOffset, end).toString('utf8');
}
