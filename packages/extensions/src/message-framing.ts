/**
 * Thrift messages on a buffered transport carry no length: a message ends where its last field ends. The
 * MessageFramer finds those ends incrementally (a resumable scan that never re-reads what it already passed, so a
 * 10 MB answer arriving in 64 KB chunks costs one pass), refuses anything that is not a strict binary-protocol message
 * (a wrong protocol is noticed on its first 4 bytes) and bounds how much one message may buffer.
 */
import { T } from './wire-types.js';

/** The stream is not Thrift's strict binary protocol, or a message is malformed. */
export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolViolation';
  }
}

/** One message would need more than the allowed bytes. */
export class MessageTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`a Thrift message is larger than ${limitBytes} bytes`);
    this.name = 'MessageTooLarge';
  }
}

const VERSION_1 = 0x80010000 | 0;
const VERSION_MASK = 0xffff0000 | 0;
const MAX_DEPTH = 64;
const FIXED_SIZE: Record<number, number> = { 2: 1, 3: 1, 4: 8, 6: 2, 8: 4, 10: 8 };

/** A frame of the scan: inside a struct, or inside a container with `remaining` elements of the given types. */
type Frame = { kind: 'struct' } | { kind: 'container'; types: readonly number[]; remaining: number; index: number };

export class MessageFramer {
  private buffer = Buffer.alloc(0);
  private length = 0;
  private start = 0;
  private position = 0;
  private readonly stack: Frame[] = [];
  private inMessage = false;

  constructor(private readonly maxMessageBytes: number) {}

  /** Bytes held for a message not yet complete. */
  get pending(): number {
    return this.length - this.start;
  }

  /** Adds received bytes; returns the messages they completed, in order. Throws ProtocolViolation / MessageTooLarge. */
  push(chunk: Buffer): Buffer[] {
    this.append(chunk);
    const messages: Buffer[] = [];
    for (;;) {
      const end = this.scan();
      if (end === undefined) break;
      messages.push(Buffer.from(this.buffer.subarray(this.start, end)));
      this.start = end;
      this.position = end;
    }
    if (this.start === this.length) {
      this.start = this.position = this.length = 0;
    }
    if (this.length - this.start > this.maxMessageBytes) throw new MessageTooLarge(this.maxMessageBytes);
    return messages;
  }

  private append(chunk: Buffer): void {
    if (this.length + chunk.length > this.buffer.length) {
      if (this.start > 0 && this.length - this.start + chunk.length <= this.buffer.length) {
        this.buffer.copy(this.buffer, 0, this.start, this.length);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length - this.start + chunk.length, 4096));
        this.buffer.copy(grown, 0, this.start, this.length);
        this.buffer = grown;
      }
      this.length -= this.start;
      this.position -= this.start;
      this.start = 0;
    }
    chunk.copy(this.buffer, this.length);
    this.length += chunk.length;
  }

  private available(bytes: number): boolean {
    return this.position + bytes <= this.length;
  }

  /** Advances over whole units; returns the end offset of a completed message, or undefined when more is needed. */
  private scan(): number | undefined {
    const buf = this.buffer;
    if (!this.inMessage) {
      if (!this.available(4)) return undefined;
      const version = buf.readInt32BE(this.position);
      if ((version & VERSION_MASK) !== VERSION_1) {
        throw new ProtocolViolation(`not a Thrift binary-protocol message (first bytes 0x${(version >>> 0).toString(16).padStart(8, '0')})`);
      }
      if (!this.available(8)) return undefined;
      const nameLength = buf.readInt32BE(this.position + 4);
      if (nameLength < 0 || nameLength > 256) throw new ProtocolViolation(`a message name of ${nameLength} bytes`);
      if (!this.available(12 + nameLength)) return undefined;
      this.position += 12 + nameLength;
      this.stack.push({ kind: 'struct' });
      this.inMessage = true;
    }
    while (this.stack.length > 0) {
      const frame = this.stack[this.stack.length - 1]!;
      let type: number;
      if (frame.kind === 'struct') {
        if (!this.available(1)) return undefined;
        type = buf[this.position]!;
        if (type === T.STOP) {
          this.position += 1;
          this.stack.pop();
          continue;
        }
        if (!this.available(3)) return undefined;
        if (!this.value(type, 3)) return undefined;
        continue;
      }
      if (frame.remaining === 0) {
        this.stack.pop();
        continue;
      }
      type = frame.types[frame.index % frame.types.length]!;
      if (!this.value(type, 0)) return undefined;
      frame.index += 1;
      frame.remaining -= 1;
    }
    this.inMessage = false;
    return this.position;
  }

  /**
   * Consumes one value of `type` preceded by `header` bytes (a struct field's type and id), or pushes a frame for a
   * nested struct/container. Returns false (nothing consumed) when its fixed part has not arrived yet.
   */
  private value(type: number, header: number): boolean {
    const buf = this.buffer;
    const at = this.position + header;
    const fixed = FIXED_SIZE[type];
    if (fixed !== undefined) {
      if (!this.available(header + fixed)) return false;
      this.position = at + fixed;
      return true;
    }
    if (type === T.STRING) {
      if (!this.available(header + 4)) return false;
      const size = buf.readInt32BE(at);
      if (size < 0) throw new ProtocolViolation(`a string of negative length ${size}`);
      if (size > this.maxMessageBytes) throw new MessageTooLarge(this.maxMessageBytes);
      if (!this.available(header + 4 + size)) return false;
      this.position = at + 4 + size;
      return true;
    }
    if (this.stack.length >= MAX_DEPTH) throw new ProtocolViolation(`values nested deeper than ${MAX_DEPTH} levels`);
    if (type === T.STRUCT) {
      this.position = at;
      this.stack.push({ kind: 'struct' });
      return true;
    }
    if (type === T.MAP) {
      if (!this.available(header + 6)) return false;
      const size = buf.readInt32BE(at + 2);
      if (size < 0) throw new ProtocolViolation(`a map of negative size ${size}`);
      this.position = at + 6;
      this.stack.push({ kind: 'container', types: [buf[at]!, buf[at + 1]!], remaining: size * 2, index: 0 });
      return true;
    }
    if (type === T.LIST || type === 14) {
      if (!this.available(header + 5)) return false;
      const size = buf.readInt32BE(at + 1);
      if (size < 0) throw new ProtocolViolation(`a list of negative size ${size}`);
      this.position = at + 5;
      this.stack.push({ kind: 'container', types: [buf[at]!], remaining: size, index: 0 });
      return true;
    }
    throw new ProtocolViolation(`unknown Thrift type ${type}`);
  }
}
