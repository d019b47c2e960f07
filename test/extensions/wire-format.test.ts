/** Quarry's binary writer and message framer against the `thrift` package's own TBinaryProtocol (byte for byte). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import thrift from 'thrift';
import { encodeMessage, MessageFramer, ProtocolViolation, MessageTooLarge, writeInfo, writeResponse, decodeReply, readResponse, type TProtocol } from '@quarry/extensions';

const rows: Record<string, string>[] = [{ a: 'é1', b: '' }, { c: 'x'.repeat(300) }, {}];
const body = (o: TProtocol) => {
  o.writeStructBegin('result');
  o.writeFieldBegin('success', thrift.Thrift.Type.STRUCT, 0);
  writeResponse(o, { status: { code: 1, message: 'OK', uuid: 12345 }, response: rows });
  o.writeFieldEnd();
  o.writeFieldBegin('x', thrift.Thrift.Type.STRUCT, 1);
  writeInfo(o, { name: 'n', version: 'v', sdk_version: 's', min_sdk_version: 'm' });
  o.writeFieldEnd();
  o.writeFieldStop();
  o.writeStructEnd();
};

function thriftPackageBytes(): Buffer {
  let out: Buffer | undefined;
  const transport = new thrift.TBufferedTransport(undefined, (b?: Buffer) => (out = b));
  const protocol = new thrift.TBinaryProtocol(transport);
  protocol.writeMessageBegin('call', thrift.Thrift.MessageType.REPLY, 7);
  body(protocol);
  protocol.writeMessageEnd();
  protocol.flush();
  return out!;
}

describe('Thrift binary wire format', () => {
  it('writes exactly the bytes of the thrift package\'s TBinaryProtocol', () => {
    assert.deepEqual(encodeMessage('call', 2, 7, body), thriftPackageBytes());
  });

  it('frames messages split at every byte and reads them back', () => {
    const message = encodeMessage('call', 2, 7, body);
    const framer = new MessageFramer(1 << 20);
    const found: Buffer[] = [];
    const twice = Buffer.concat([message, message]);
    for (let i = 0; i < twice.length; i++) found.push(...framer.push(twice.subarray(i, i + 1)));
    assert.equal(found.length, 2);
    assert.deepEqual(found[0], message);
    assert.deepEqual(decodeReply(found[1]!, 'call', readResponse)!.response, rows);
  });

  it('refuses another protocol at once and bounds a message\'s size', () => {
    assert.throws(() => new MessageFramer(1024).push(Buffer.from('GET / HTTP/1.1\r\n')), ProtocolViolation);
    const message = encodeMessage('call', 2, 7, body);
    assert.throws(() => new MessageFramer(100).push(message), MessageTooLarge);
  });
});
