// Record parser, netlink decoder, rule and status codecs: examples plus fast-check properties (never throw, count
// rejections, round-trip).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  AuditRecordParser, decodeAuditDatagram, decodeAuditString, decodeNetlinkMessages, decodeRule, decodeStatus,
  encodeNetlinkMessage, encodeRule, execveArguments, parseAuditRecord, recordTypeName, recordTypeNumber,
  type AuditRule, type AuditRuleField,
} from 'node-audit';

test('parses the header, quoted, hex and plain values of a SYSCALL record', () => {
  const text = 'audit(1502125323.756:6): arch=c000003e syscall=59 success=yes exit=0 ppid=10 pid=11 comm="echo" exe=2F746D702F61206220 key=(null)';
  const result = parseAuditRecord(1300, text);
  assert.ok(result.ok);
  const r = result.record;
  assert.equal(r.typeName, 'SYSCALL');
  assert.equal(r.seconds, 1502125323);
  assert.equal(r.milliseconds, 756);
  assert.equal(r.serial, 6);
  assert.equal(r.id, '1502125323.756:6');
  assert.equal(r.fields.get('syscall'), '59');
  assert.equal(r.fields.get('comm'), '"echo"');
  assert.equal(decodeAuditString(r.fields.get('comm')!), 'echo');
  assert.equal(decodeAuditString(r.fields.get('exe')!), '/tmp/a b ');
  assert.equal(decodeAuditString(r.fields.get('key')!), '(null)');
});

test('keeps a USER_* msg=\'...\' whole and lifts its inner fields, first occurrence winning', () => {
  const text = "audit(1700000000.001:42): pid=7 uid=0 auid=1000 ses=3 msg='op=PAM:authentication grantors=pam_unix acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=? addr=1.2.3.4 terminal=ssh res=success'";
  const result = parseAuditRecord(1100, text);
  assert.ok(result.ok);
  const f = result.record.fields;
  assert.equal(result.record.typeName, 'USER_AUTH');
  assert.equal(f.get('msg'), 'op=PAM:authentication grantors=pam_unix acct="root" exe="/usr/sbin/sshd" hostname=? addr=1.2.3.4 terminal=ssh res=success');
  assert.equal(f.get('pid'), '7');
  assert.equal(f.get('acct'), '"root"');
  assert.equal(f.get('addr'), '1.2.3.4');
  assert.equal(f.get('terminal'), 'ssh');
  assert.equal(f.get('res'), 'success');
});

test('an EOE record has an id and no fields; garbage is rejected with a reason and counted', () => {
  const eoe = parseAuditRecord(1320, 'audit(1700000000.001:43):');
  assert.ok(eoe.ok);
  assert.equal(eoe.record.fields.size, 0);
  const parser = new AuditRecordParser();
  for (const bad of ['', 'hello', 'audit(', 'audit(1.2:3', 'audit(x.2:3): a=b', 'audit(1:3): a=b', ' audit(1.2:3): a=b']) {
    assert.equal(parser.parse(1300, bad), undefined, bad);
  }
  assert.equal(parser.rejected, 7);
  assert.equal(parser.parsed, 0);
  assert.match(parser.lastError!, /audit record/);
});

test('record type names cover every type the publishers use', () => {
  const used: Array<[number, string]> = [
    [1300, 'SYSCALL'], [1302, 'PATH'], [1306, 'SOCKADDR'], [1307, 'CWD'], [1309, 'EXECVE'], [1320, 'EOE'],
    [1327, 'PROCTITLE'], [1100, 'USER_AUTH'], [1101, 'USER_ACCT'], [1103, 'CRED_ACQ'], [1104, 'CRED_DISP'],
    [1105, 'USER_START'], [1106, 'USER_END'], [1112, 'USER_LOGIN'], [1123, 'USER_CMD'], [1005, 'USER'], [1318, 'OBJ_PID'],
    [1326, 'SECCOMP'], [1400, 'AVC'],
  ];
  for (const [n, name] of used) {
    assert.equal(recordTypeName(n), name);
    assert.equal(recordTypeNumber(name), n);
  }
  assert.equal(recordTypeName(4242), 'UNKNOWN[4242]');
});

test('property: the parser never throws on any text or type, and counts every rejection', () => {
  const parser = new AuditRecordParser();
  let calls = 0;
  fc.assert(
    fc.property(fc.integer({ min: -5, max: 70000 }), fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('audit(', 'audit(1.2:3):', "audit(1.2:3): msg='", 'audit(1.2:3): a="')), (type, text) => {
      calls++;
      const result = parseAuditRecord(type, text);
      assert.equal(typeof result.ok, 'boolean');
      if (!result.ok) assert.equal(typeof result.error, 'string');
      parser.parse(type, text);
    }),
    { numRuns: 3000 },
  );
  assert.equal(parser.parsed + parser.rejected, calls);
  assert.ok(parser.rejected > 0);
});

test('property: any text after a valid header parses, never throwing', () => {
  fc.assert(
    fc.property(fc.nat(), fc.integer({ min: 0, max: 999 }), fc.nat(), fc.string({ unit: 'binary' }), (sec, ms, serial, rest) => {
      const result = parseAuditRecord(1300, `audit(${sec}.${String(ms).padStart(3, '0')}:${serial}): ${rest}`);
      assert.ok(result.ok);
      assert.equal(result.record.serial, serial);
      assert.equal(result.record.seconds, sec);
    }),
    { numRuns: 2000 },
  );
});

// The kernel's encoding of an untrusted string: quoted when it has no space, quote, control or non-ASCII byte, else hex.
function kernelEncode(bytes: Buffer): string {
  const plain = bytes.length > 0 && bytes.every((b) => b > 0x20 && b < 0x7f && b !== 0x22);
  return plain ? `"${bytes.toString('latin1')}"` : bytes.toString('hex').toUpperCase();
}

const keyArb = fc.stringMatching(/^[a-z_][a-z0-9_]{0,11}$/);
const valueArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9:/.,@+-]{1,20}$/).map((v) => ({ raw: v, decoded: undefined as string | undefined })),
  fc.string({ minLength: 1 }).map((s) => ({ raw: kernelEncode(Buffer.from(s, 'utf8')), decoded: s as string | undefined })),
);

test('property: fields round-trip, including quoted and hex-encoded strings', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.tuple(keyArb, valueArb), { selector: ([k]) => k, maxLength: 12 }), (pairs) => {
      const text = `audit(1700000000.123:9): ${pairs.map(([k, v]) => `${k}=${v.raw}`).join(' ')}`;
      const result = parseAuditRecord(1300, text);
      assert.ok(result.ok);
      for (const [k, v] of pairs) {
        assert.equal(result.record.fields.get(k), v.raw);
        if (v.decoded !== undefined) assert.equal(decodeAuditString(v.raw), v.decoded);
      }
    }),
    { numRuns: 1000 },
  );
});

test('property: execveArguments rebuilds argv, long arguments split in aN[i] chunks, in numeric order', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { minLength: 1, maxLength: 14 }), fc.integer({ min: 4, max: 16 }), (argv, chunkBytes) => {
      const tokens: string[] = [`argc=${argv.length}`];
      argv.forEach((arg, n) => {
        const bytes = Buffer.from(arg, 'utf8');
        if (bytes.length > chunkBytes) {
          tokens.push(`a${n}_len=${bytes.length * 2}`);
          for (let c = 0; c * chunkBytes < bytes.length; c++) tokens.push(`a${n}[${c}]=${bytes.subarray(c * chunkBytes, (c + 1) * chunkBytes).toString('hex').toUpperCase()}`);
        } else {
          tokens.push(`a${n}=${bytes.length === 0 ? '""' : kernelEncode(bytes)}`);
        }
      });
      const parsed = parseAuditRecord(1309, `audit(1700000000.123:9): ${tokens.join(' ')}`);
      assert.ok(parsed.ok);
      const rebuilt = execveArguments([parsed.record]);
      assert.ok(rebuilt.ok);
      assert.deepEqual(rebuilt.argv, argv);
      assert.equal(rebuilt.complete, true);
    }),
    { numRuns: 800 },
  );
});

test('netlink: truncated and garbage datagrams give errors, never exceptions', () => {
  const a = encodeNetlinkMessage(1300, 0, 1, Buffer.from('audit(1.000:1): a=1'));
  const b = encodeNetlinkMessage(1320, 0, 2, Buffer.from('audit(1.000:1):'));
  const both = Buffer.concat([a, b]);
  const ok = decodeNetlinkMessages(both);
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.messages.map((m) => m.type), [1300, 1320]);
  let truncatedErrors = 0;
  for (let cut = 1; cut < both.length; cut++) {
    const r = decodeNetlinkMessages(both.subarray(0, cut));
    // A cut right after the first message (with or without its alignment padding) leaves a valid datagram.
    if (cut !== a.length && cut !== a.readUInt32LE(0) && cut !== a.length + b.readUInt32LE(0)) {
      assert.ok(r.errors.length > 0, `cut at ${cut} should report an error`);
      truncatedErrors++;
    }
  }
  assert.equal(truncatedErrors, both.length - 4);
  const zeroLength = Buffer.alloc(32);
  assert.match(decodeNetlinkMessages(zeroLength).errors[0]!, /shorter than the 16-byte header/);
  const huge = Buffer.from(a);
  huge.writeUInt32LE(1 << 30, 0);
  assert.match(decodeNetlinkMessages(huge).errors[0]!, /exceeds/);
});

test('property: netlink decoders never throw and account for every byte', () => {
  let rejected = 0;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const r = decodeNetlinkMessages(bytes);
      const d = decodeAuditDatagram(bytes);
      if (r.errors.length > 0) rejected++;
      for (const m of [...r.messages, ...d.messages]) assert.ok(m.payload.byteLength <= bytes.byteLength);
      decodeStatus(bytes);
      const rule = decodeRule(bytes);
      if (!rule.ok) assert.equal(typeof rule.error, 'string');
    }),
    { numRuns: 3000 },
  );
  assert.ok(rejected > 0);
});

test('property: concatenated messages decode back to what was encoded', () => {
  const msgArb = fc.record({ type: fc.integer({ min: 16, max: 0xffff }), flags: fc.integer({ min: 0, max: 0xffff }), seq: fc.nat(), payload: fc.uint8Array({ maxLength: 64 }) });
  fc.assert(
    fc.property(fc.array(msgArb, { maxLength: 8 }), (msgs) => {
      const data = Buffer.concat(msgs.map((m) => encodeNetlinkMessage(m.type, m.flags, m.seq, m.payload)));
      const r = decodeNetlinkMessages(data);
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.messages.map((m) => ({ type: m.type, flags: m.flags, seq: m.seq, payload: Uint8Array.from(m.payload) })), msgs.map((m) => ({ ...m, payload: Uint8Array.from(m.payload) })));
    }),
    { numRuns: 500 },
  );
});

test('an audit record framed with the unicast length quirk (header left out of nlmsg_len) decodes whole', () => {
  const payload = Buffer.from('audit(1.000:1): argc=1 a0="x"');
  const framed = encodeNetlinkMessage(1309, 0, 0, payload);
  framed.writeUInt32LE(payload.length, 0);
  const r = decodeAuditDatagram(framed);
  assert.deepEqual(r.errors, []);
  assert.equal(Buffer.from(r.messages[0]!.payload).toString(), payload.toString());
});

test('property: rules encode and decode back unchanged', () => {
  const numericField = fc.record({
    field: fc.constantFrom('uid', 'auid', 'pid', 'success', 'exit', 'ppid', 'a0'),
    op: fc.constantFrom('=', '!=', '<', '>', '<=', '>=', '&', '&='),
    value: fc.nat({ max: 0xffffffff }),
  }) as fc.Arbitrary<AuditRuleField>;
  const stringField = fc.record({
    field: fc.constantFrom('key', 'exe', 'dir'),
    op: fc.constantFrom('=', '!='),
    value: fc.stringMatching(/^[a-z0-9/_.-]{1,30}$/),
  }) as fc.Arbitrary<AuditRuleField>;
  const ruleArb = fc.record({
    list: fc.constantFrom('exit', 'user', 'exclude', 'task', 'filesystem'),
    action: fc.constantFrom('never', 'always'),
    syscalls: fc.oneof(fc.constant('all' as const), fc.uniqueArray(fc.integer({ min: 0, max: 2047 }), { maxLength: 20 }).map((a) => a.sort((x, y) => x - y))),
    fields: fc.array(fc.oneof(numericField, stringField), { maxLength: 10 }),
  }) as fc.Arbitrary<AuditRule>;
  fc.assert(
    fc.property(ruleArb, (rule) => {
      const plain: AuditRule = { ...rule, fields: rule.fields.map((f) => ({ ...f })) };
      const decoded = decodeRule(encodeRule(plain));
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.error);
      assert.deepEqual(decoded.rule, plain);
    }),
    { numRuns: 500 },
  );
});

test('bad rules are refused with errors naming the problem', () => {
  assert.throws(() => encodeRule({ list: 'exit', action: 'always', syscalls: [5000], fields: [] }), /syscall number 5000/);
  assert.throws(() => encodeRule({ list: 'nope' as 'exit', action: 'always', syscalls: [], fields: [] }), /unknown audit rule list "nope"/);
  assert.throws(() => encodeRule({ list: 'exit', action: 'always', syscalls: [], fields: [{ field: 'bogus' as 'uid', op: '=', value: 1 }] }), /unknown audit rule field "bogus"/);
  assert.throws(() => encodeRule({ list: 'exit', action: 'always', syscalls: [], fields: [{ field: 'uid', op: '=', value: 1.5 }] }), /field uid needs an integer/);
});
