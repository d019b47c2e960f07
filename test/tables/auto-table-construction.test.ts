/**
 * auto_table_construction (ATC) through the real binaries: tables over a SQLite file the test writes (with python3's
 * sqlite3), all columns TEXT plus the implicit `path`; bad entries (a missing or non-SQLite file, a writing query,
 * columns the query does not return, a core table's name) give a warning naming the entry while the other tables
 * are built; quarryd rebuilds the set when the config changes (SIGHUP).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quarryi } from '../shell/quarryi.js';
import { tempDir } from '../temp-dir.js';
import { QuarrydProcess, waitFor } from '../daemon/quarryd-process.js';

function sqliteFile(path: string, statements: string): void {
  const result = spawnSync('python3', ['-c', 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()', path, statements], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
}

const dir = tempDir('quarry-atc-');
const db = join(dir, 'browser.sqlite');
sqliteFile(db, "create table visits(url text, count integer, seen real); insert into visits values ('https://a.example', 3, 1.5), ('https://b.example', 1, NULL);");
const notSqlite = join(dir, 'notes.txt');
writeFileSync(notSqlite, 'not a database\n');

const entries = {
  visits: { query: 'select url, count, seen from visits order by url', path: db, columns: ['url', 'count', 'seen'] },
  visits_glob: { query: 'select url from visits', path: join(dir, '%.sqlite'), columns: ['url'] },
  atc_missing: { query: 'select url from visits', path: join(dir, 'absent.sqlite'), columns: ['url'] },
  atc_not_sqlite: { query: 'select 1 as x', path: notSqlite, columns: ['x'] },
  atc_writes: { query: 'delete from visits', path: db, columns: ['url'] },
  atc_unknown_column: { query: 'select url from visits', path: db, columns: ['url', 'title'] },
  atc_macos: { query: 'select url from visits', path: db, columns: ['url'], platform: 'darwin' },
  users: { query: 'select url from visits', path: db, columns: ['url'] },
};

test('quarryi: ATC tables read the SQLite file, every column TEXT plus path; bad entries warn by name, the rest are built', () => {
  const config = join(dir, 'osquery.conf');
  writeFileSync(config, JSON.stringify({ auto_table_construction: entries }));
  const result = quarryi([`--config_path=${config}`, '--json', 'select * from visits']);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), [
    { url: 'https://a.example', count: '3', seen: '1.5', path: db },
    { url: 'https://b.example', count: '1', seen: null, path: db },
  ].map((row) => ({ ...row, seen: row.seen ?? '' })));
  assert.match(result.stderr, /ATC Table: Skipping atc_not_sqlite: .*notes\.txt is not a SQLite database/);
  assert.match(result.stderr, /ATC Table: Skipping atc_writes: the query writes/);
  assert.match(result.stderr, /ATC Table: Skipping atc_unknown_column: the query over .*browser\.sqlite returns no column title/);
  assert.match(result.stderr, /ATC Table: users overrides core table; Refusing registration/);
  assert.match(result.stderr, /ATC Table: atc_missing: no file matches .*absent\.sqlite yet/);
  assert.doesNotMatch(result.stderr, /atc_macos/, 'another platform\'s entry is left out silently');

  const types = quarryi([`--config_path=${config}`, '--json', "select name, type from pragma_table_info('visits')"]);
  assert.deepEqual(JSON.parse(types.stdout), ['url', 'count', 'seen', 'path'].map((name) => ({ name, type: 'TEXT' })));
  const glob = quarryi([`--config_path=${config}`, '--json', 'select url, path from visits_glob order by url']);
  assert.deepEqual(JSON.parse(glob.stdout), [{ url: 'https://a.example', path: db }, { url: 'https://b.example', path: db }]);
  const missing = quarryi([`--config_path=${config}`, '--json', 'select count(*) as n from atc_missing']);
  assert.deepEqual(JSON.parse(missing.stdout), [{ n: '0' }]);
  for (const name of ['atc_not_sqlite', 'atc_writes', 'atc_unknown_column', 'atc_macos']) {
    const absent = quarryi([`--config_path=${config}`, `select * from ${name}`]);
    assert.equal(absent.status, 1);
    assert.match(absent.stderr, new RegExp(`no such table: ${name}`));
  }
  const readOnly = spawnSync('python3', ['-c', 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from visits").fetchone()[0])', db], { encoding: 'utf8' });
  assert.equal(readOnly.stdout.trim(), '2', 'the writing entry changed nothing');
});

test('quarryd: ATC tables answer over HTTP and follow the config on SIGHUP', async () => {
  const d = new QuarrydProcess({ config: { auto_table_construction: { visits: entries.visits } } });
  try {
    await d.start();
    const first = await d.query('select url, count from visits order by url');
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json.rows, [{ url: 'https://a.example', count: '3' }, { url: 'https://b.example', count: '1' }]);
    d.writeConfig({ auto_table_construction: { visits_glob: entries.visits_glob, atc_writes: entries.atc_writes } });
    d.child!.kill('SIGHUP');
    await waitFor('the new ATC set', async () => (await d.query('select count(*) as n from visits_glob')).status === 200, 20_000);
    const gone = await d.query('select * from visits');
    assert.notEqual(gone.status, 200);
    assert.match(gone.text, /no such table: visits/);
    await waitFor('the warning', () => /ATC Table: Skipping atc_writes: the query writes/.test(d.stderr), 10_000);
    assert.equal((await d.stop()).code, 0);
  } finally {
    d.cleanup();
  }
});
