/**
 * The ExtensionManager service on its UNIX socket (mode 0600): Thrift's binary protocol over a buffered transport, one
 * message after another per connection, answered in order. Garbage or another protocol on a connection gets that
 * connection closed with a log line; the manager keeps serving every other connection.
 */
import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { AppError, encodeMessage, messageReader, MessageType, writeApplicationException, writeResult } from './thrift-codec.js';
import type { ExtensionManager } from './extension-manager.js';
import { MessageFramer, MessageTooLarge, ProtocolViolation } from './message-framing.js';
import { prepareSocketPath } from './socket-path.js';
import {
  T,
  readI64,
  readInfo,
  readRegistry,
  readStringMap,
  readStruct,
  writeInfo,
  writeOption,
  writeResponse,
  writeStatus,
  type ExtensionInfo,
  type ExtensionRegistry,
  type TProtocol,
} from './wire-types.js';

/** Largest request one message may carry (a registration with many tables, a long SQL text). */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

type Reply = { type: number; write?: (output: TProtocol) => void };

/** Reads a method's argument struct into a field map (id → value) with the readers given per field id. */
function readArgs(input: TProtocol, readers: Record<number, [number, () => unknown]>): Map<number, unknown> {
  const values = new Map<number, unknown>();
  readStruct(input, (id, type) => {
    const reader = readers[id];
    if (!reader || reader[0] !== type) return false;
    values.set(id, reader[1]());
    return true;
  });
  return values;
}

export class ManagerServer {
  private server: Server | undefined;
  private readonly connections = new Set<Socket>();

  constructor(private readonly manager: ExtensionManager) {}

  get socketPath(): string {
    return this.manager.host.socketPath;
  }

  async listen(): Promise<void> {
    const path = this.socketPath;
    await prepareSocketPath(path);
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, 0o600);
    server.on('error', (error) => this.manager.host.log.warn(`Extension manager socket ${path}: ${error.message}`));
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.connections) socket.destroy();
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    try {
      unlinkSync(this.socketPath);
    } catch {
      // already gone
    }
  }

  private serve(socket: Socket): void {
    this.connections.add(socket);
    const framer = new MessageFramer(MAX_REQUEST_BYTES);
    let chain = Promise.resolve();
    const drop = (why: string): void => {
      this.manager.host.log.warn(`Extension manager: dropped a connection on ${this.socketPath}: ${why}`);
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      let messages: Buffer[];
      try {
        messages = framer.push(chunk);
      } catch (error) {
        if (error instanceof ProtocolViolation) drop(error.message);
        else if (error instanceof MessageTooLarge) drop(`a request larger than ${MAX_REQUEST_BYTES} bytes`);
        else drop(String((error as Error)?.message ?? error));
        return;
      }
      for (const message of messages) {
        chain = chain.then(async () => {
          if (socket.destroyed) return;
          const reply = await this.handle(message).catch((error: unknown) => {
            drop(`a malformed request: ${(error as Error)?.message ?? error}`);
            return undefined;
          });
          if (reply && !socket.destroyed) socket.write(reply);
        });
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
  }

  /** One request message → its reply message. Throws for a request that cannot be read at all. */
  private async handle(message: Buffer): Promise<Buffer> {
    const input = messageReader(message);
    const header = input.readMessageBegin();
    const name = header.fname;
    const seqid = header.rseqid;
    let reply: Reply;
    if (header.mtype !== MessageType.CALL && header.mtype !== MessageType.ONEWAY) {
      reply = this.appError(AppError.PROTOCOL_ERROR, `expected a call, got message type ${header.mtype}`);
    } else {
      try {
        reply = await this.dispatch(name, input);
      } catch (error) {
        // The message was framed, so the connection is still in step: answer with a protocol error and go on.
        const why = `a malformed ${name} request: ${(error as Error)?.message ?? error}`;
        this.manager.host.log.warn(`Extension manager: ${why}`);
        reply = this.appError(AppError.PROTOCOL_ERROR, why);
      }
    }
    return encodeMessage(name, reply.type, seqid, (output) => reply.write?.(output));
  }

  private appError(type: number, message: string): Reply {
    return { type: MessageType.EXCEPTION, write: (output) => writeApplicationException(output, type, message) };
  }

  private result(type?: number, write?: (output: TProtocol) => void): Reply {
    return { type: MessageType.REPLY, write: (output) => writeResult(output, type, write && (() => write(output))) };
  }

  private async dispatch(name: string, input: TProtocol): Promise<Reply> {
    const manager = this.manager;
    switch (name) {
      case 'ping': {
        readArgs(input, {});
        const status = manager.ping();
        return this.result(T.STRUCT, (output) => writeStatus(output, status));
      }
      case 'shutdown':
        readArgs(input, {});
        return this.result();
      case 'extensions': {
        readArgs(input, {});
        const list = manager.extensions();
        return this.result(T.MAP, (output) => {
          output.writeMapBegin(T.I64, T.STRUCT, list.size);
          for (const [uuid, info] of list) {
            output.writeI64(uuid);
            writeInfo(output, info);
          }
          output.writeMapEnd();
        });
      }
      case 'options': {
        readArgs(input, {});
        const options = manager.options();
        const names = Object.keys(options);
        return this.result(T.MAP, (output) => {
          output.writeMapBegin(T.STRING, T.STRUCT, names.length);
          for (const flag of names) {
            output.writeString(flag);
            writeOption(output, options[flag]!);
          }
          output.writeMapEnd();
        });
      }
      case 'registerExtension': {
        const args = readArgs(input, { 1: [T.STRUCT, () => readInfo(input)], 2: [T.MAP, () => readRegistry(input)] });
        const info = (args.get(1) as ExtensionInfo | undefined) ?? { name: '', version: '', sdk_version: '', min_sdk_version: '' };
        const status = manager.registerExtension(info, (args.get(2) as ExtensionRegistry | undefined) ?? {});
        return this.result(T.STRUCT, (output) => writeStatus(output, status));
      }
      case 'deregisterExtension': {
        const args = readArgs(input, { 1: [T.I64, () => readI64(input)] });
        const status = manager.deregisterExtension((args.get(1) as number | undefined) ?? 0);
        return this.result(T.STRUCT, (output) => writeStatus(output, status));
      }
      case 'query':
      case 'getQueryColumns': {
        const args = readArgs(input, { 1: [T.STRING, () => input.readString()] });
        const sql = (args.get(1) as string | undefined) ?? '';
        const response = name === 'query' ? await manager.query(sql) : await manager.getQueryColumns(sql);
        return this.result(T.STRUCT, (output) => writeResponse(output, response));
      }
      case 'call': {
        const args = readArgs(input, {
          1: [T.STRING, () => input.readString()],
          2: [T.STRING, () => input.readString()],
          3: [T.MAP, () => readStringMap(input)],
        });
        const response = await manager.call((args.get(1) as string) ?? '', (args.get(2) as string) ?? '', (args.get(3) as Record<string, string>) ?? {});
        return this.result(T.STRUCT, (output) => writeResponse(output, response));
      }
      default:
        input.skip(T.STRUCT as never);
        return this.appError(AppError.UNKNOWN_METHOD, `Unknown function ${name}`);
    }
  }
}
