/** Calls on an extension's own `Extension` service (ping, call, shutdown) from the manager's event loop. */
import { decodeReply, encodeMessage, MessageType, writeArgs } from './thrift-codec.js';
import { exchange, type ExchangeOptions } from './socket-exchange.js';
import { readResponse, readStatus, T, writeStringMap, type ExtensionResponse, type ExtensionStatus, type PluginRequest } from './wire-types.js';

/** The encoded `call(registry, item, request)` message. */
export function encodeCall(registry: string, item: string, request: PluginRequest, seqid = 1): Buffer {
  return encodeMessage('call', MessageType.CALL, seqid, (output) =>
    writeArgs(output, [
      { id: 1, type: T.STRING, write: () => output.writeString(registry) },
      { id: 2, type: T.STRING, write: () => output.writeString(item) },
      { id: 3, type: T.MAP, write: () => writeStringMap(output, request) },
    ]),
  );
}

export function decodeCallReply(reply: Buffer): ExtensionResponse {
  return decodeReply(reply, 'call', readResponse)!;
}

export async function pingExtension(socketPath: string, options: ExchangeOptions): Promise<ExtensionStatus> {
  const request = encodeMessage('ping', MessageType.CALL, 1, (output) => writeArgs(output, []));
  return decodeReply(await exchange(socketPath, request, options), 'ping', readStatus)!;
}

export async function callExtension(socketPath: string, registry: string, item: string, request: PluginRequest, options: ExchangeOptions): Promise<ExtensionResponse> {
  return decodeCallReply(await exchange(socketPath, encodeCall(registry, item, request), options));
}
