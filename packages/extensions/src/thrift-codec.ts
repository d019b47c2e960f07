/**
 * Writing and reading whole Thrift messages with the `thrift` package's binary protocol over its buffered transport:
 * a call or reply becomes one Buffer to write on a socket, and a framed message (MessageFramer) is read back.
 */
import thrift from 'thrift';
import { BinaryWriter } from './binary-writer.js';
import { type TProtocol, T, WireFormatError, readStruct } from './wire-types.js';

export const MessageType = { CALL: 1, REPLY: 2, EXCEPTION: 3, ONEWAY: 4 } as const;

/** TApplicationException's types used here. */
export const AppError = { UNKNOWN: 0, UNKNOWN_METHOD: 1, INTERNAL_ERROR: 6, PROTOCOL_ERROR: 7 } as const;

/** One message: its header written, then `body` writes the argument or result struct (binary-writer.ts). */
export function encodeMessage(name: string, type: number, seqid: number, body: (output: TProtocol) => void): Buffer {
  const writer = new BinaryWriter();
  writer.writeMessageBegin(name, type, seqid);
  body(writer.asProtocol());
  return Buffer.from(writer.bytes());
}

/** An argument struct with the given fields (id order), as a generated client writes `<method>_args`. */
export function writeArgs(output: TProtocol, fields: ReadonlyArray<{ id: number; type: number; write: () => void }>): void {
  output.writeStructBegin('args');
  for (const field of fields) {
    output.writeFieldBegin('', field.type as thrift.Thrift.Type, field.id);
    field.write();
    output.writeFieldEnd();
  }
  output.writeFieldStop();
  output.writeStructEnd();
}

/** A `<method>_result` struct: field 0 holds the return value (absent for void). */
export function writeResult(output: TProtocol, type?: number, write?: () => void): void {
  output.writeStructBegin('result');
  if (type !== undefined && write) {
    output.writeFieldBegin('success', type as thrift.Thrift.Type, 0);
    write();
    output.writeFieldEnd();
  }
  output.writeFieldStop();
  output.writeStructEnd();
}

export function writeApplicationException(output: TProtocol, type: number, message: string): void {
  output.writeStructBegin('TApplicationException');
  output.writeFieldBegin('message', T.STRING, 1);
  output.writeString(message);
  output.writeFieldEnd();
  output.writeFieldBegin('type', T.I32, 2);
  output.writeI32(type);
  output.writeFieldEnd();
  output.writeFieldStop();
  output.writeStructEnd();
}

/** A protocol reading one complete message (as MessageFramer returned it). */
export function messageReader(message: Buffer): TProtocol {
  let input: TProtocol | undefined;
  thrift.TBufferedTransport.receiver((transport) => {
    input = new thrift.TBinaryProtocol(transport);
  }, 0)(message);
  return input!;
}

/** The peer answered with a TApplicationException (unknown method, internal error, ...). */
export class RemoteApplicationError extends Error {
  constructor(message: string, readonly type: number) {
    super(message);
    this.name = 'RemoteApplicationError';
  }
}

/**
 * Reads a reply to `method`: the result struct's field 0 through `readSuccess` (undefined for void methods). Throws
 * RemoteApplicationError for an exception reply and WireFormatError for anything that is not a reply to `method`.
 */
export function decodeReply<R>(message: Buffer, method: string, readSuccess?: (input: TProtocol) => R): R | undefined {
  const input = messageReader(message);
  const header = input.readMessageBegin();
  if (header.mtype === MessageType.EXCEPTION) {
    let text = '';
    let type: number = AppError.UNKNOWN;
    readStruct(input, (id, ftype) => {
      if (id === 1 && ftype === T.STRING) text = input.readString();
      else if (id === 2 && ftype === T.I32) type = input.readI32();
      else return false;
      return true;
    });
    throw new RemoteApplicationError(text || `the peer failed ${method}`, type);
  }
  if (header.mtype !== MessageType.REPLY) throw new WireFormatError(`expected a reply, got message type ${header.mtype}`);
  if (header.fname !== method) throw new WireFormatError(`expected a reply to ${method}, got one to ${header.fname}`);
  let value: R | undefined;
  let found = false;
  readStruct(input, (id) => {
    if (id !== 0 || !readSuccess) return false;
    value = readSuccess(input);
    found = true;
    return true;
  });
  if (readSuccess && !found) throw new WireFormatError(`the reply to ${method} carries no result`);
  return value;
}
