import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CONFIG_MAX_BYTES, ConfigError, configDump, configHash, loadConfig } from '@quarry/config';
import { createHash } from 'node:crypto';
import { positionOf, tempDir, writeFile } from './helpers.js';

function expectConfigError(fn: () => unknown, check: (error: ConfigError) => void): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    check(error);
    return true;
  });
}

describe('loadConfig', () => {
  it('reads osquery.conf with # and // comment lines and backslash-continued lines', () => {
    const dir = tempDir();
    const path = writeFile(dir, 'osquery.conf', [
      '{',
      '  # hash comment',
      '  // slash comment',
      '  "options": {"events_max": 100},',
      '  "schedule": {',
      '    "uptime": {"query": "SELECT total_seconds \\',
      'FROM uptime;", "interval": "600", "snapshot": "true", "removed": 0}',
      '  },',
      '  "file_paths": {"etc": ["/etc/%%", ""]},',
      '  "file_accesses": ["etc"]',
      '}',
    ].join('\n'));
    const config = loadConfig(path);
    assert.deepEqual(config.options, { events_max: 100 });
    assert.deepEqual(config.schedule.uptime, {
      query: 'SELECT total_seconds FROM uptime;', interval: 600, snapshot: true, removed: false, denylist: true,
    });
    assert.deepEqual(config.file_paths, { etc: ['/etc/%%'] });
    assert.deepEqual(config.file_accesses, ['etc']);
    assert.equal(config.sources.length, 1);
  });

  it('reads <config_path>.d/*.conf first in lexical order, then config_path; later sources win', () => {
    const dir = tempDir();
    const path = writeFile(dir, 'osquery.conf', JSON.stringify({
      options: { events_max: 3 }, schedule: { shared: { query: 'SELECT 3;' } }, file_paths: { tmp: ['/tmp/%'] },
    }));
    mkdirSync(`${path}.d`);
    writeFileSync(join(`${path}.d`, '20-b.conf'), JSON.stringify({
      options: { events_max: 2, events_expiry: 20 }, schedule: { shared: { query: 'SELECT 2;' }, only_b: { query: 'SELECT 22;' } },
      file_paths: { tmp: ['/var/tmp/%'] },
    }));
    writeFileSync(join(`${path}.d`, '10-a.conf'), JSON.stringify({ options: { events_max: 1, events_expiry: 10 }, schedule: { shared: { query: 'SELECT 1;' } } }));
    writeFileSync(join(`${path}.d`, 'ignored.json'), '{not json');
    mkdirSync(join(`${path}.d`, 'dir.conf'));
    const config = loadConfig(path);
    assert.deepEqual(config.sources.map((source) => source.path), [join(`${path}.d`, '10-a.conf'), join(`${path}.d`, '20-b.conf'), path]);
    assert.deepEqual(config.options, { events_max: 3, events_expiry: 20 });
    assert.equal(config.schedule.shared!.query, 'SELECT 3;');
    assert.equal(config.schedule.only_b!.query, 'SELECT 22;');
    assert.deepEqual(config.file_paths.tmp, ['/var/tmp/%', '/tmp/%']);

    const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
    const sorted = [...config.sources].sort((a, b) => (a.path < b.path ? -1 : 1));
    assert.equal(configHash(config), sha1(sorted.map((source) => source.hash).join('')));
    assert.equal(config.sources[2]!.hash, sha1(JSON.stringify({
      options: { events_max: 3 }, schedule: { shared: { query: 'SELECT 3;' } }, file_paths: { tmp: ['/tmp/%'] },
    })));
  });

  it('reports JSON syntax errors as file:line:column, counting removed comment lines', () => {
    const dir = tempDir();
    const text = [
      '{',
      '  # a comment line that osquery removes before parsing',
      '  "schedule": {',
      '    "a": {"query": "SELECT 1;" "interval": 10}',
      '  }',
      '}',
    ].join('\n');
    const path = writeFile(dir, 'osquery.conf', text);
    const expected = positionOf(text, '"interval"');
    expectConfigError(() => loadConfig(path), (error) => {
      assert.equal(error.file, path);
      assert.equal(error.line, expected.line);
      assert.equal(error.column, expected.column);
      assert.match(error.message, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${expected.line}:${expected.column}: Error parsing the config JSON: Missing a comma or '}'`));
    });
  });

  it('points after a backslash-joined line at the right original line', () => {
    const dir = tempDir();
    const text = '{"schedule": {"a": {"query": "SELECT \\\n1;", "interval": 10,}}}';
    const path = writeFile(dir, 'osquery.conf', text);
    const expected = positionOf(text, '}}}');
    expectConfigError(() => loadConfig(path), (error) => {
      assert.equal(error.line, expected.line);
      assert.equal(error.column, expected.column);
      assert.match(error.reason, /Trailing comma/);
    });
  });

  it('names the key and its position for values of the wrong shape', () => {
    const dir = tempDir();
    const text = '{\n  "schedule": {\n    "q": {"query": "SELECT 1;", "interval": "hourly"}\n  }\n}\n';
    const path = writeFile(dir, 'osquery.conf', text);
    const expected = positionOf(text, '"hourly"');
    expectConfigError(() => loadConfig(path), (error) => {
      assert.equal(error.message, `${path}:${expected.line}:${expected.column}: schedule.q.interval: must be a non-negative integer, got the string "hourly"`);
    });
    const noQuery = writeFile(dir, 'b.conf', '{"packs": {"p": {"queries": {"q": {"interval": 5}}}}}');
    expectConfigError(() => loadConfig(noQuery), (error) => assert.match(error.reason, /^packs\.p\.queries\.q: missing "query"/));
    const badPaths = writeFile(dir, 'c.conf', '{"file_paths": {"etc": "/etc/%%"}}');
    expectConfigError(() => loadConfig(badPaths), (error) => assert.match(error.reason, /^file_paths\.etc: must be an array, got the string "\/etc\/%%"/));
  });

  it('handles CRLF files, a BOM and a "__proto__" key, and names the conf.d file a problem is in', () => {
    const dir = tempDir();
    const crlf = writeFile(dir, 'crlf.conf', '\uFEFF{\r\n  # comment\r\n  "views": {"__proto__": "SELECT 1;"},\r\n  "options": {"verbose": true}\r\n}\r\n');
    const config = loadConfig(crlf);
    assert.equal(Object.getPrototypeOf(config.views), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(config.views, '__proto__')?.value, 'SELECT 1;');
    assert.deepEqual(config.options, { verbose: true });

    const path = writeFile(dir, 'osquery.conf', '{}');
    mkdirSync(`${path}.d`);
    const text = '{\n"events": {"disable_subscribers": "yara_events"}}';
    const dropIn = join(`${path}.d`, 'events.conf');
    writeFileSync(dropIn, text);
    const expected = positionOf(text, '"yara_events"');
    expectConfigError(() => loadConfig(path), (error) => {
      assert.equal(error.message, `${dropIn}:${expected.line}:${expected.column}: events.disable_subscribers: must be an array, got the string "yara_events"`);
    });
  });

  it('requires an object at the root and a non-empty document', () => {
    const dir = tempDir();
    expectConfigError(() => loadConfig(writeFile(dir, 'a.conf', '[1, 2]')), (error) => assert.match(error.reason, /root must be an object/));
    expectConfigError(() => loadConfig(writeFile(dir, 'b.conf', '# only a comment\n')), (error) => assert.match(error.reason, /document is empty/));
  });

  it('enforces the 4 MiB size limit with osquery\'s message', () => {
    const dir = tempDir();
    const filler = 'x'.repeat(CONFIG_MAX_BYTES);
    const path = writeFile(dir, 'osquery.conf', `{"views": {"v": "${filler}"}}`);
    expectConfigError(() => loadConfig(path), (error) => {
      assert.equal(error.reason, 'Error parsing the config JSON: the config size exceeds the limit of 4194304 bytes');
    });
    const justFits = writeFile(dir, 'fits.conf', `{"views": {"v": "${'y'.repeat(CONFIG_MAX_BYTES - 20)}"}}`);
    assert.equal(loadConfig(justFits).views.v!.length, CONFIG_MAX_BYTES - 20);
  });

  it('enforces the nesting limit of 32 with osquery\'s message', () => {
    const dir = tempDir();
    const nest = (depth: number) => `{"options": {"custom_x": ${'['.repeat(depth - 2)}1${']'.repeat(depth - 2)}}}`;
    assert.ok(loadConfig(writeFile(dir, 'ok.conf', nest(32))));
    const text = nest(33);
    const path = writeFile(dir, 'deep.conf', text);
    expectConfigError(() => loadConfig(path), (error) => {
      assert.equal(error.reason, 'Error validating the config JSON: Configuration has too many nesting levels!');
      assert.equal(error.column, text.lastIndexOf('[') + 1);
    });
  });

  it('fails clearly for a missing file and for a directory', () => {
    const dir = tempDir();
    const missing = join(dir, 'nope.conf');
    expectConfigError(() => loadConfig(missing), (error) => {
      assert.equal(error.message, `${missing}: config file does not exist: ${missing}; check --config_path`);
    });
    expectConfigError(() => loadConfig(dir), (error) => assert.match(error.reason, /config file does not exist: .* \(it is a directory\)/));
  });

  it('reads packs given inline, by path (relative to the config directory) and by the "*" glob', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'packs'));
    writeFile(dir, 'packs/incident.conf', '// pack file comment\n{"platform": "linux", "queries": {"procs": {"query": "SELECT * FROM processes;", "interval": 60}}}');
    writeFile(dir, 'packs/hardware.conf', '{"discovery": ["SELECT 1;"], "queries": {"usb": {"query": "SELECT * FROM usb_devices;"}}}');
    writeFile(dir, 'packs/readme.txt', 'not a pack');
    const path = writeFile(dir, 'osquery.conf', JSON.stringify({
      packs: {
        inline: { shard: 50, queries: { q: { query: 'SELECT 1;', interval: 10, snapshot: true } } },
        by_path: 'packs/incident.conf',
        '*': join(dir, 'packs', '%.conf'),
      },
    }));
    const config = loadConfig(path);
    assert.deepEqual(Object.keys(config.packs).sort(), ['by_path', 'hardware', 'incident', 'inline']);
    assert.equal(config.packs.inline!.shard, 50);
    assert.equal(config.packs.inline!.queries.q!.snapshot, true);
    assert.equal(config.packs.by_path!.source, join(dir, 'packs/incident.conf'));
    assert.equal(config.packs.by_path!.platform, 'linux');
    assert.equal(config.packs.by_path!.queries.procs!.interval, 60);
    assert.deepEqual(config.packs.hardware!.discovery, ['SELECT 1;']);

    // A pack file that cannot be used is skipped with a warning naming it; the rest of the config applies.
    const broken = writeFile(dir, 'packs/broken.json', '{"queries": {"x": {"query": 5}}}');
    const text = '{"schedule": {"s": {"query": "SELECT 1;", "interval": 60}}, "packs": {"b": "packs/broken.json", "inline": {"queries": {"q": {"query": "SELECT 2;", "interval": 5}}}}}';
    const brokenConfig = loadConfig(writeFile(dir, 'broken.conf', text));
    assert.deepEqual(Object.keys(brokenConfig.packs), ['inline']);
    assert.equal(brokenConfig.schedule.s!.query, 'SELECT 1;');
    assert.equal(brokenConfig.skippedPacks.length, 1);
    assert.equal(brokenConfig.skippedPacks[0]!.name, 'b');
    assert.equal(brokenConfig.skippedPacks[0]!.file, broken);
    assert.match(brokenConfig.skippedPacks[0]!.reason, /queries\.x\.query: must be a string, got the number 5/);
    assert.ok(brokenConfig.warnings.some((w) => w.startsWith('Pack b skipped: ') && w.includes(broken)), brokenConfig.warnings.join('\n'));

    const badJson = writeFile(dir, 'packs/bad-json.conf', '{"queries": {');
    const missing = loadConfig(writeFile(dir, 'missing-pack.conf', `{"packs": {"m": "/nonexistent/pack.conf", "j": "${badJson}", "ok": {"queries": {}}}}`));
    assert.deepEqual(Object.keys(missing.packs), ['ok']);
    assert.deepEqual(missing.skippedPacks.map((p) => p.name), ['m', 'j']);
    assert.match(missing.skippedPacks[0]!.reason, /pack file does not exist: \/nonexistent\/pack\.conf/);
    assert.doesNotMatch(missing.skippedPacks[0]!.reason, /config_path/);
    assert.match(missing.skippedPacks[1]!.reason, /Error parsing the config JSON/);
    assert.match(missing.skippedPacks[1]!.reason, new RegExp(`^${badJson.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1:`));
  });

  it('reads decorators, yara, events, prometheus_targets, views and auto_table_construction', () => {
    const dir = tempDir();
    const path = writeFile(dir, 'osquery.conf', JSON.stringify({
      decorators: { load: ['SELECT uuid AS host_uuid FROM system_info;'], always: ['SELECT 1 AS one;'], interval: { 3600: ['SELECT 2 AS two;'], 90: ['SELECT 3;'] } },
      yara: { signatures: { sig: ['/abs/a.yar', 'rel.yar'] }, file_paths: { etc: ['sig'] }, signature_urls: ['https://h/r\\.yar'] },
      events: { disable_subscribers: ['yara_events'] },
      prometheus_targets: { urls: ['http://localhost:9100/metrics'], timeout: 5 },
      views: { kernel: 'SELECT * FROM kernel_info;' },
      auto_table_construction: { chrome: { query: 'SELECT a FROM t;', path: '/home/%/db', columns: ['a'] }, broken: { path: '/x' } },
      feature_vectors: {},
      mystery_key: 1,
    }));
    const config = loadConfig(path);
    assert.deepEqual(config.decorators.interval, { 3600: ['SELECT 2 AS two;'] });
    assert.ok(config.warnings.some((w) => w.includes('Invalid decorator interval rate 90')));
    assert.deepEqual(config.yara.signatures.sig, ['/abs/a.yar', join(dir, 'yara', 'rel.yar')]);
    assert.deepEqual(config.events, { enable_subscribers: [], disable_subscribers: ['yara_events'] });
    assert.deepEqual(config.prometheus_targets, { urls: ['http://localhost:9100/metrics'], timeout: 5 });
    assert.equal(config.views.kernel, 'SELECT * FROM kernel_info;');
    assert.deepEqual(Object.keys(config.auto_table_construction), ['chrome']);
    assert.ok(config.warnings.some((w) => w.includes('ATC Table: Skipping broken because it is misconfigured (missing query or path)')));
    assert.ok(config.warnings.some((w) => w.includes('unknown config key "mystery_key"')));
    assert.ok(config.warnings.some((w) => w.includes('"feature_vectors" is not used by Quarry')));
  });

  it('skips queries osquery skips, with warnings', () => {
    const dir = tempDir();
    const path = writeFile(dir, 'osquery.conf', JSON.stringify({
      schedule: {
        ok: { query: 'SELECT 1;', intreval: 5 },
        zero: { query: 'SELECT 1;', interval: 0 },
        huge: { query: 'SELECT 1;', interval: 604801 },
        'query.x': { query: 'SELECT 1;' },
        my_counter: { query: 'SELECT 1;' },
      },
    }));
    const config = loadConfig(path);
    assert.deepEqual(Object.keys(config.schedule), ['ok']);
    assert.ok(config.warnings.some((w) => w.includes('schedule.ok.intreval: unknown key ignored')));
    assert.ok(config.warnings.some((w) => w.includes('Query has invalid interval: zero: 0')));
    assert.ok(config.warnings.some((w) => w.includes('Query has invalid interval: huge: 604801')));
  });

  it('dumps each source as {"<path>": <content>} with comments removed', () => {
    const dir = tempDir();
    const path = writeFile(dir, 'osquery.conf', '# c\n{"options": {"verbose": true}}\n');
    mkdirSync(`${path}.d`);
    writeFileSync(join(`${path}.d`, 'a.conf'), '{"views": {}}');
    const lines = configDump(loadConfig(path)).trimEnd().split('\n');
    assert.deepEqual(lines.map((line) => JSON.parse(line)), [
      { [join(`${path}.d`, 'a.conf')]: { views: {} } },
      { [path]: { options: { verbose: true } } },
    ]);
  });
});
