/**
 * The augeas table against Debian's augtool on files written under a temporary root (the table's `root` option is
 * augtool's -r; by default libaugeas uses $AUGEAS_ROOT or '/'): the same nodes, values and labels for hosts, sudoers,
 * sshd_config and crontab, the workshop's Lab 4 queries, constraint narrowing, and every bad input.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, QueryError } from '@quarry/sql';
import { Flags } from '@quarry/config';
import { augeasMissingMessage, augeasTables } from '@quarry/tables/augeas/index';
import { parseCronLine } from '@quarry/tables/files/crontab';
import { etc_hosts } from '@quarry/tables/network/etc_hosts';
import { augtool, augtoolPrint, ensureAugeas, FIXTURES, LENSES, labelOf, rowKeys, writeFixtures } from './augeas-fixtures.js';

let root: string;
let flags: Flags;
let engine: Engine;

function sql(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function expectedRows(path: string, filter: (label: string) => boolean = () => true) {
  return augtoolPrint(root, `/files${path}`)
    .map((printed) => ({ node: printed.node, value: printed.value, label: labelOf(printed.node) }))
    .filter((row) => filter(row.label));
}

before(async () => {
  ensureAugeas();
  root = mkdtempSync(join(tmpdir(), 'quarry-augeas-'));
  writeFixtures(root);
  flags = new Flags();
  engine = await Engine.create({ tables: [...augeasTables({ flags, root }), etc_hosts] });
});

after(() => {
  engine?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

test('--augeas_lenses defaults to Debian\'s lens directory', () => {
  assert.equal(new Flags().value('augeas_lenses'), LENSES);
});

for (const path of Object.keys(FIXTURES)) {
  test(`path = '${path}': every (node, value, label) equals \`augtool print /files${path}\`, path is the file`, () => {
    const result = engine.query(`select node, value, label, path from augeas where path = ${sql(path)}`);
    const expected = expectedRows(path);
    assert.ok(expected.length > 3, `augtool parsed ${path}`);
    assert.deepEqual(rowKeys(result.rows), rowKeys(expected));
    assert.ok(result.rows.every((row) => row.path === path));
    assert.deepEqual(result.warnings, []);
  });
}

test("Lab 4: label not like '%comment%' on sudoers and sshd_config drops exactly augeas' comment nodes", () => {
  for (const path of ['/etc/sudoers', '/etc/ssh/sshd_config']) {
    const rows = engine.query(`select label, value from augeas where path=${sql(path)} and label not like '%comment%';`).rows;
    const expected = expectedRows(path, (label) => !label.includes('comment'));
    assert.deepEqual(rows.map((row) => `${row.label}=${row.value}`).sort(), expected.map((row) => `${row.label}=${row.value}`).sort());
    assert.ok(rows.some((row) => row.label === 'PermitRootLogin' || row.label === 'user'));
  }
  const all = engine.query("select * from augeas where path='/etc/sudoers';");
  assert.deepEqual(all.columns.map((column) => column.name), ['node', 'value', 'label', 'path']);
});

test('crontab via augeas carries what the crontab table parses from the same file (user split from the command)', () => {
  const entries = engine.query("select node, value from augeas where path = '/etc/crontab' and label = 'entry'").rows;
  const fields = (node: unknown, name: string) =>
    engine.query(`select value from augeas where path = '/etc/crontab' and node = ${sql(`${String(node)}/${name}`)}`).rows[0]?.value;
  const parsed = FIXTURES['/etc/crontab']!.split('\n').map(parseCronLine).filter((row) => row !== null);
  assert.equal(entries.length, parsed.length);
  entries.forEach((entry, index) => {
    const cron = parsed[index]!;
    assert.equal(fields(entry.node, 'time/minute'), cron.minute);
    assert.equal(fields(entry.node, 'time/hour'), cron.hour);
    assert.equal(fields(entry.node, 'time/dayofweek'), cron.day_of_week);
    assert.equal(`${String(fields(entry.node, 'user'))} ${String(entry.value)}`.replace(/\s+/g, ' '), String(cron.command).replace(/\s+/g, ' '));
  });
});

test('the real /etc/hosts via augeas (default root) lists what etc_hosts lists', async () => {
  const real = await Engine.create({ tables: [...augeasTables({ flags }), etc_hosts] });
  try {
    const hosts = real.query('select address, hostnames from etc_hosts').rows;
    const augeas = real.query("select node, value, label from augeas where path = '/etc/hosts'").rows;
    const entries = augeas.filter((row) => /^\/files\/etc\/hosts\/\d+$/.test(String(row.node)));
    const names = entries.map((entry) =>
      augeas.filter((row) => String(row.node).startsWith(`${String(entry.node)}/`) && row.label !== 'ipaddr').map((row) => row.value).join(' '),
    );
    const addresses = entries.map((entry) => augeas.find((row) => row.node === `${String(entry.node)}/ipaddr`)?.value);
    assert.deepEqual(
      addresses.map((address, index) => `${String(address)} ${names[index]}`),
      hosts.map((row) => `${String(row.address)} ${String(row.hostnames)}`),
    );
    const printed = execAugtoolRealHosts();
    assert.deepEqual(rowKeys(augeas), rowKeys(printed));
  } finally {
    real.close();
  }
});

function execAugtoolRealHosts() {
  return augtoolPrint('/', '/files/etc/hosts').map((printed) => ({ node: printed.node, value: printed.value, label: labelOf(printed.node) }));
}

test('node = takes augeas path expressions (osquery), node LIKE and path LIKE narrow to the named files', () => {
  const one = engine.query("select value, path from augeas where node = '/files/etc/hosts/1/ipaddr'").rows;
  assert.deepEqual(one, [{ value: '127.0.0.1', path: '/etc/hosts' }]);

  // node = is handed to augeas as a path expression (osquery), but SQLite still checks node = value on every row, so
  // only literal node paths return rows; IN lists are one literal each.
  const listed = engine.query("select node, value from augeas where node in ('/files/etc/hosts/1/canonical', '/files/etc/hosts/2/canonical')").rows;
  const matched = augtool(root, 'match /files/etc/hosts/*/canonical').split('\n').filter(Boolean).slice(0, 2);
  assert.deepEqual(listed.map((row) => `${String(row.node)} = ${String(row.value)}`).sort(), matched.sort());
  assert.deepEqual(engine.query("select node from augeas where node = '/files/etc/hosts/*/canonical'").rows, []);

  const like = engine.query("select node, value, label from augeas where node like '/files/etc/ssh/sshd_config/%'").rows;
  assert.deepEqual(rowKeys(like), rowKeys(expectedRows('/etc/ssh/sshd_config').slice(1)));

  const under = engine.query("select distinct path from augeas where path like '/etc/%' order by path").rows.map((row) => row.path);
  assert.deepEqual(under, Object.keys(FIXTURES).sort());
  assert.equal(engine.query("select count(*) as n from configurations where path = '/etc/hosts'").rows[0]!.n, expectedRows('/etc/hosts').length);
});

test('unconstrained query loads every file every lens includes (here: the fixtures under the root)', () => {
  const rows = engine.query('select node, value, label from augeas').rows;
  const expected = Object.keys(FIXTURES).flatMap((path) => expectedRows(path));
  // The directory nodes (/files/etc, /files/etc/ssh) are matched by /files//* too, as in osquery.
  const files = rows.filter((row) => !['/files/etc', '/files/etc/ssh'].includes(String(row.node)));
  assert.deepEqual(rowKeys(files), rowKeys(expected));
});

test('a changed file is re-read, a deleted one gives no rows', () => {
  const file = join(root, 'etc', 'hosts');
  const original = readFileSync(file, 'utf8');
  try {
    writeFileSync(file, `${original}10.9.8.7 changed.example\n`);
    const later = statSync(file).mtimeMs / 1000 + 5;
    utimesSync(file, later, later);
    const rows = engine.query("select value from augeas where path = '/etc/hosts' and label = 'canonical'").rows.map((row) => row.value);
    assert.ok(rows.includes('changed.example'));
    rmSync(file);
    assert.deepEqual(engine.query("select * from augeas where path = '/etc/hosts'").rows, []);
  } finally {
    writeFileSync(file, original);
  }
});

test('a file the lens cannot parse: no rows and a warning with augeas\' own error, line and lens (as augtool reports)', () => {
  const file = join(root, 'etc', 'sudoers');
  const original = readFileSync(file, 'utf8');
  try {
    writeFileSync(file, `${original}this is ( not sudoers\n`);
    const later = statSync(file).mtimeMs / 1000 + 10;
    utimesSync(file, later, later);
    const result = engine.query("select * from augeas where path = '/etc/sudoers'");
    assert.deepEqual(result.rows, []);
    const reference = augtool(root, 'print /augeas/files/etc/sudoers/error');
    const line = /\/error\/line = "(\d+)"/.exec(reference)?.[1];
    const message = /\/error\/message = "(.*)"/.exec(reference)?.[1];
    assert.ok(line && message, `augtool reports the error: ${reference}`);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0]!, /^augeas could not parse \/etc\/sudoers with lens .*sudoers\.aug/);
    assert.ok(result.warnings[0]!.includes(`at line ${line}`) && result.warnings[0]!.includes(message), result.warnings[0]);
  } finally {
    writeFileSync(file, original);
    const later = Date.now() / 1000 + 20;
    utimesSync(file, later, later);
  }
  assert.ok(engine.query("select * from augeas where path = '/etc/sudoers'").rows.length > 0, 'parses again once fixed');
});

test('a path no lens includes, or a file that does not exist, gives no rows and no warning', () => {
  writeFileSync(join(root, 'etc', 'quarry-no-lens.txt'), 'key = value\n');
  for (const path of ['/etc/quarry-no-lens.txt', '/etc/quarry-missing.conf']) {
    const result = engine.query(`select * from augeas where path = ${sql(path)}`);
    assert.deepEqual(result.rows, []);
    assert.deepEqual(result.warnings, []);
  }
});

test('a bad --augeas_lenses or node expression is a clear error', async () => {
  const badFlags = new Flags();
  badFlags.set('augeas_lenses', join(root, 'no-lenses-here'), 'cli');
  const bad = await Engine.create({ tables: augeasTables({ flags: badFlags, root }) });
  try {
    assert.throws(() => bad.query("select * from augeas where path = '/etc/hosts'"), (error: unknown) => {
      assert.ok(error instanceof QueryError || error instanceof Error);
      assert.match((error as Error).message, /augeas lenses directory .*no-lenses-here does not exist.*apt-get install -y libaugeas0 augeas-lenses.*--augeas_lenses/);
      return true;
    });
  } finally {
    bad.close();
  }
  assert.throws(() => engine.query("select * from augeas where node = '/files/etc/hosts[['"), /augeas rejected the path expression .*node column takes an augeas path expression/);
});

test('the missing-library message names the Debian packages to install', () => {
  const message = augeasMissingMessage('libaugeas.so.0: cannot open shared object file: No such file or directory');
  assert.match(message, /^augeas is not available: libaugeas\.so\.0 could not be loaded \(libaugeas\.so\.0: cannot open shared object file/);
  assert.match(message, /apt-get install -y libaugeas0 augeas-lenses$/);
  assert.ok(existsSync(LENSES));
});
