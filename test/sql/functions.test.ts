// osquery's extra SQL functions and collations, including their quirks (reference 2.3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { Engine, QueryError } from '@quarry/sql';

const engine = await Engine.create({ tables: [] });
const one = (sql: string) => Object.values(engine.query(`select ${sql} as v`).rows[0]!)[0];
const fails = (sql: string, message: string | RegExp) =>
  assert.throws(() => engine.query(`select ${sql}`), (error: unknown) => error instanceof QueryError && (typeof message === 'string' ? error.message === message : message.test(error.message)), sql);

test('math functions return doubles, log is natural, errno cases are errors', () => {
  const unary: Array<[string, (x: number) => number, number]> = [
    ['sqrt', Math.sqrt, 2],
    ['acos', Math.acos, 0.5],
    ['asin', Math.asin, 0.5],
    ['atan', Math.atan, 0.5],
    ['cos', Math.cos, 1],
    ['sin', Math.sin, 1],
    ['tan', Math.tan, 1],
    ['cot', (x) => 1 / Math.tan(x), 1],
    ['exp', Math.exp, 2],
    ['log', Math.log, 10],
    ['log10', Math.log10, 1000],
    ['degrees', (x) => (x * 180) / Math.PI, 1],
    ['radians', (x) => (x * Math.PI) / 180, 90],
  ];
  for (const [name, fn, x] of unary) {
    assert.equal(one(`${name}(${x})`), fn(x), name);
    assert.equal(one(`typeof(${name}(${x}))`), 'real', name);
    assert.equal(one(`${name}(null)`), null, name);
  }
  assert.equal(one('pi()'), Math.PI);
  assert.equal(one('power(2, 10)'), 1024);
  assert.equal(one('typeof(power(2, 10))'), 'real');
  assert.equal(one('power(null, 2)'), null);
  fails('sqrt(-1)', 'Numerical argument out of domain');
  fails('acos(2)', 'Numerical argument out of domain');
  fails('log(0)', 'Numerical result out of range');
  fails('exp(1000)', 'Numerical result out of range');
});

test('ceil and floor return integers; integer arguments come back unchanged', () => {
  assert.equal(one('ceil(1.2)'), 2);
  assert.equal(one('typeof(ceil(1.2))'), 'integer');
  assert.equal(one('floor(-1.5)'), -2);
  assert.equal(one('typeof(floor(-1.5))'), 'integer');
  assert.equal(one('ceil(7)'), 7);
  assert.equal(one('floor(9007199254740993)'), 9007199254740993n);
  assert.equal(one('ceil(null)'), null);
});

test('split trims pieces, drops empty ones and splits on any token character', () => {
  assert.equal(one("split('a, b,,c', ',', 1)"), 'b');
  assert.equal(one("split('a, b,,c', ',', 2)"), 'c');
  assert.equal(one("split(' a ; b , c', ';,', 2)"), 'c');
  assert.equal(one("split('a,b', ',', 5)"), null);
  assert.equal(one("split(null, ',', 0)"), null);
  assert.equal(one("split('a', null, 0)"), null);
  fails("split('a b', '', 0)", 'Invalid input to split function');
});

test('regex_split keeps leading and inner empty pieces but no trailing one', () => {
  const piece = (i: number) => one(`regex_split(',a,,b,', ',', ${i})`);
  assert.deepEqual([0, 1, 2, 3, 4].map(piece), ['', 'a', '', 'b', null]);
  assert.equal(one("regex_split('one1two22three', '[0-9]+', 2)"), 'three');
  assert.equal(one("regex_split('abc', 'x', 0)"), 'abc');
  fails("regex_split('abc', '(', 0)", 'Invalid regex');
  fails(`regex_split('abc', '${'a'.repeat(257)}', 0)`, 'Invalid regex');
});

test('regex_match searches anywhere and returns a group', () => {
  assert.equal(one("regex_match('foo123bar', '([0-9]+)', 0)"), '123');
  assert.equal(one("regex_match('foo123bar', '([a-z]+)([0-9]+)', 2)"), '123');
  assert.equal(one("regex_match('foo', '([0-9]+)', 0)"), null);
  assert.equal(one("regex_match('foo1', '([0-9]+)', 5)"), null);
  fails("regex_match('abc', '(', 0)", 'Invalid regex');
  fails(`regex_match('abc', '${'a'.repeat(257)}', 0)`, 'Invalid regex: too big, max size is 256 bytes');
  assert.equal(one(`regex_match('abc', '${'a'.repeat(256)}', 0)`), null, '256 bytes is allowed');
});

test('concat skips NULLs; concat_ws adds the separator unless the value is the last argument', () => {
  assert.equal(one("concat('a', null, 1, 2.5)"), 'a12.5');
  assert.equal(one('concat()'), '');
  assert.equal(one("concat_ws('-', 'a', null, 'b')"), 'a-b');
  assert.equal(one("concat_ws('-', 'a', 'b', null)"), 'a-b-', 'quirk: a NULL last argument leaves a trailing separator');
  assert.equal(one("concat_ws('-')"), '');
  fails('concat_ws()', 'Missing separator to concat_ws');
});

test('inet_aton and in_cidr_block', () => {
  assert.equal(one("inet_aton('1.2.3.4')"), 1 * 2 ** 24 + 2 * 2 ** 16 + 3 * 2 ** 8 + 4);
  assert.equal(one("inet_aton('255.255.255.255')"), 2 ** 32 - 1);
  assert.equal(one("inet_aton('::1')"), null);
  assert.equal(one("inet_aton('1.2.3')"), null);
  assert.equal(one('inet_aton(null)'), null);
  assert.equal(one("in_cidr_block('10.0.0.0/8', '10.200.3.4')"), 1);
  assert.equal(one("in_cidr_block('10.0.0.0/8', '11.0.0.1')"), 0);
  assert.equal(one("in_cidr_block('192.168.1.0/25', '192.168.1.127')"), 1);
  assert.equal(one("in_cidr_block('192.168.1.0/25', '192.168.1.128')"), 0);
  assert.equal(one("in_cidr_block('fe80::/10', 'fe80::1')"), 1);
  assert.equal(one("in_cidr_block('fe80::/10', '2001:db8::1')"), 0);
  assert.equal(one("in_cidr_block('10.0.0.0/8', '::1')"), 0);
  fails("in_cidr_block(1, '1.2.3.4')", 'CIDR must be a string');
  fails("in_cidr_block('10.0.0.0/8', 1)", 'IP address must be a string');
  fails("in_cidr_block('10.0.0.0/8', 'nope')", 'IP address cannot be parsed');
  fails("in_cidr_block('10.0.0.0/33', '10.0.0.1')", 'CIDR for IP address v4 cannot be parsed');
  fails("in_cidr_block('fe80::/129', 'fe80::1')", 'CIDR for IP address v6 cannot be parsed');
});

test('md5, sha1, sha256 hash the value bytes', () => {
  for (const algorithm of ['md5', 'sha1', 'sha256'] as const) {
    assert.equal(one(`${algorithm}('quarry')`), createHash(algorithm).update('quarry').digest('hex'));
    assert.equal(one(`${algorithm}(x'00ff10')`), createHash(algorithm).update(Buffer.from([0, 0xff, 0x10])).digest('hex'));
    assert.equal(one(`${algorithm}(42)`), createHash(algorithm).update('42').digest('hex'));
  }
});

test('base64 functions', () => {
  assert.equal(one("to_base64('hello world')"), Buffer.from('hello world').toString('base64'));
  assert.equal(one("from_base64('aGVsbG8gd29ybGQ=')"), 'hello world');
  assert.equal(one("from_base64('not base64!')"), '');
  assert.equal(one('to_base64(null)'), null);
  assert.equal(one('from_base64(null)'), null);
  assert.equal(one("conditional_to_base64('plain text')"), 'plain text');
  assert.equal(one("conditional_to_base64('tab' || char(9))"), Buffer.from('tab\t').toString('base64'));
  assert.equal(one("conditional_to_base64('é')"), Buffer.from('é').toString('base64'));
});

function expectedCommunityId(saddr: number[], daddr: number[], sport: number, dport: number, proto: number, seed = 0): string {
  const [a, b, p, q] = Buffer.compare(Buffer.from(saddr), Buffer.from(daddr)) > 0 || (Buffer.compare(Buffer.from(saddr), Buffer.from(daddr)) === 0 && sport > dport)
    ? [daddr, saddr, dport, sport]
    : [saddr, daddr, sport, dport];
  const input = Buffer.concat([Buffer.from([seed >> 8, seed & 0xff]), Buffer.from(a), Buffer.from(b), Buffer.from([proto, 0, p >> 8, p & 0xff, q >> 8, q & 0xff])]);
  return '1:' + createHash('sha1').update(input).digest('base64');
}

test('community_id_v1 hashes the ordered flow; bad input warns (or fails when strict)', () => {
  const expected = expectedCommunityId([1, 2, 3, 4], [5, 6, 7, 8], 1122, 3344, 6);
  assert.equal(one("community_id_v1('1.2.3.4', '5.6.7.8', 1122, 3344, 6)"), expected);
  assert.equal(one("community_id_v1('5.6.7.8', '1.2.3.4', 3344, 1122, 6)"), expected, 'direction does not matter');
  assert.equal(one("community_id_v1('1.2.3.4', '5.6.7.8', 1122, 3344, 17, 1)"), expectedCommunityId([1, 2, 3, 4], [5, 6, 7, 8], 1122, 3344, 17, 1));
  const warnings: string[] = [];
  const result = engine.query("select community_id_v1('x', '5.6.7.8', 1, 2, 6) as v", { onWarning: (m) => warnings.push(m) });
  assert.equal(result.rows[0]!.v, null);
  assert.deepEqual(warnings, ['Community ID saddr cannot be parsed as IP']);
  assert.deepEqual(result.warnings, warnings);
  fails("community_id_v1_strict('x', '5.6.7.8', 1, 2, 6)", 'Community ID saddr cannot be parsed as IP');
  fails("community_id_v1_strict('1.2.3.4', '5.6.7.8', 70000, 2, 6)", /sport must be an integer between 0 and 65535/);
  assert.equal(one("community_id_v1_strict('1.2.3.4', '5.6.7.8', 1122, 3344, 6)"), expected);
});

test('version_compare: generic, DPKG (checked against dpkg itself when installed), RHEL, ARCH', () => {
  assert.equal(one("version_compare('1.10', '1.9')"), 1);
  assert.equal(one("version_compare('1.2.3', '1.2.3')"), 0);
  assert.equal(one("version_compare('1.2', '1.2.1')"), -1);
  const dpkgPairs: Array<[string, string]> = [
    ['1.0~rc1', '1.0'],
    ['1:1.0', '2.0'],
    ['1.0-1', '1.0-2'],
    ['2.30-1ubuntu1', '2.30-1'],
    ['1.0a', '1.0+b'],
    ['0.9', '0.10'],
    ['1.0', '1.0'],
  ];
  const dpkg = spawnSync('dpkg', ['--version']).status === 0;
  for (const [a, b] of dpkgPairs) {
    const ours = one(`version_compare('${a}', '${b}', 'DPKG')`) as number;
    if (dpkg) {
      const truth = spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status === 0 ? -1 : spawnSync('dpkg', ['--compare-versions', a, 'eq', b]).status === 0 ? 0 : 1;
      assert.equal(ours, truth, `${a} vs ${b}`);
    }
  }
  assert.equal(one("version_compare('1.0~rc1', '1.0', 'dpkg')"), -1, 'flavor is case-insensitive');
  assert.equal(one("version_compare('1.0~rc1', '1.0', 'RHEL')"), -1);
  assert.equal(one("version_compare('1.0^post', '1.0', 'RHEL')"), 1);
  assert.equal(one("version_compare('2:1.0-1', '1:9.0-1', 'RHEL')"), 1);
  assert.equal(one("version_compare('1.0a', '1.0', 'ARCH')"), -1, 'pacman: a trailing letter segment is older');
  assert.equal(one("version_compare('1.0.1', '1.0', 'ARCH')"), 1);
  assert.equal(one("version_compare('1.0-2', '1.0-10', 'ARCH')"), -1);
  fails("version_compare('1')", 'Must provide two version strings to compare.');
  fails("version_compare('1', '2', 3)", 'The optional third parameter is not a string.');
  fails("version_compare('1', '2', 'deb')", 'The optional third parameter does not match one of: (ARCH, DPKG, RHEL).');
});

test('VERSION collations order like version_compare; NOCASE/BINARY/RTRIM are available', () => {
  const sorted = (collation: string, values: string[]) =>
    engine.query(`select v from (${values.map((v) => `select '${v}' as v`).join(' union all ')}) order by v collate ${collation}`).rows.map((r) => r.v);
  assert.deepEqual(sorted('VERSION', ['1.10', '1.9', '1.2']), ['1.2', '1.9', '1.10']);
  assert.deepEqual(sorted('VERSION_DPKG', ['1.0', '1.0~rc1', '1:0.1']), ['1.0~rc1', '1.0', '1:0.1']);
  assert.deepEqual(sorted('VERSION_RHEL', ['1.0', '1.0~rc1', '0.9']), ['0.9', '1.0~rc1', '1.0']);
  assert.deepEqual(sorted('VERSION_ARCH', ['1.0', '1.0a', '0.9']), ['0.9', '1.0a', '1.0']);
  assert.equal(one("'ABC' = 'abc' collate nocase"), 1);
  assert.equal(one("'abc  ' = 'abc' collate rtrim"), 1);
  assert.equal(one("'ABC' = 'abc' collate binary"), 0);
});

test('parent_directory and sleep', () => {
  assert.equal(one("parent_directory('/usr/bin/env')"), '/usr/bin');
  assert.equal(one("parent_directory('/etc')"), '');
  assert.equal(one("parent_directory('relative')"), null);
  fails('parent_directory(1)', 'Invalid inputs to parent_directory, TEXT was expected');
  const start = performance.now();
  assert.equal(one('sleep(0.05)'), 0.05);
  assert.ok(performance.now() - start >= 45);
  assert.equal(one('sleep(0)'), 0);
  assert.equal(one('sleep(-3)'), 0);
});

test('regexMaxSize (--regex_max_size) bounds patterns; a pattern reused across rows gives each row its own answer', async () => {
  const small = await Engine.create({ tables: [], regexMaxSize: 4 });
  assert.equal(Object.values(small.query("select regex_match('abc', 'b', 0) as v").rows[0]!)[0], 'b');
  assert.throws(() => small.query("select regex_match('abcdef', 'abcde', 0)"), /Invalid regex: too big, max size is 4 bytes/);
  assert.throws(() => small.query("select regex_split('abcdef', 'abcde', 0)"), /Invalid regex/);
  small.close();
  // One compiled pattern serves every row (its lastIndex is reset per call), so rows do not leak into each other.
  const rows = engine.query(
    "with recursive n(x) as (select 0 union all select x + 1 from n where x < 5) select x, regex_split('a1b22c333d', '[0-9]+', x % 4) as piece, regex_match('k' || x || 'v', '[0-9]+', 0) as digit from n",
  ).rows;
  const expected = (x: number) => 'a1b22c333d'.split(/[0-9]+/)[x % 4] ?? null;
  assert.deepEqual(rows.map((row) => row.piece), [0, 1, 2, 3, 4, 5].map(expected));
  assert.deepEqual(rows.map((row) => row.digit), ['0', '1', '2', '3', '4', '5']);
});
