/** osquery's hashing and base64 functions: md5, sha1, sha256, to_base64, from_base64, conditional_to_base64. */
import { createHash } from 'node:crypto';
import type { SqlFunction } from './registry.js';

function digest(name: 'md5' | 'sha1' | 'sha256'): SqlFunction {
  return {
    name,
    arity: 1,
    deterministic: true,
    run(call) {
      const bytes = call.bytes(0);
      if (bytes === null) return call.null();
      call.textResult(createHash(name).update(bytes).digest('hex'));
    },
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const encodingFunctions: readonly SqlFunction[] = [
  digest('md5'),
  digest('sha1'),
  digest('sha256'),
  {
    name: 'to_base64',
    arity: 1,
    deterministic: true,
    run(call) {
      const bytes = call.bytes(0);
      if (bytes === null) return call.null();
      call.textResult(Buffer.from(bytes).toString('base64'));
    },
  },
  {
    name: 'from_base64',
    arity: 1,
    deterministic: true,
    run(call) {
      const text = call.text(0);
      if (text === null) return call.null();
      if (!BASE64.test(text)) return call.textResult('');
      call.textBytes(Buffer.from(text, 'base64'));
    },
  },
  {
    name: 'conditional_to_base64',
    arity: 1,
    deterministic: true,
    run(call) {
      const bytes = call.bytes(0);
      if (bytes === null) return call.null();
      const printable = bytes.every((byte) => byte >= 0x20 && byte <= 0x7e);
      if (printable) call.result(call.value(0));
      else call.textResult(Buffer.from(bytes).toString('base64'));
    },
  },
];
