import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QuarrydProcess, SseClient, waitFor } from '../daemon/quarryd-process.js';

const daemons: QuarrydProcess[] = [];
after(() => daemons.forEach((d) => d.cleanup()));

function daemon(): QuarrydProcess {
  const d = new QuarrydProcess();
  d.writeConfig({ file_paths: { watched: [`${d.watchDir}/%%`] } });
  daemons.push(d);
  return d;
}

test('SSE pushes each new row within a second, filtered by a WHERE expression the engine evaluates', async () => {
  const d = await daemon().start();
  const all = new SseClient(`${d.url}/v1/events/file_events/stream`, d.token);
  const filtered = new SseClient(`${d.url}/v1/events/file_events/stream?where=${encodeURIComponent("target_path LIKE '%.log' AND action = 'CREATED'")}`, d.token);
  await waitFor('streams open', () => all.status === 200 && filtered.status === 200);
  const wrote = performance.now();
  writeFileSync(join(d.watchDir, 'a.txt'), '1');
  writeFileSync(join(d.watchDir, 'b.log'), '2');
  const got = await waitFor('b.log on the filtered stream', () => filtered.rows().find((r) => r.target_path.endsWith('b.log')));
  assert.equal(got.action, 'CREATED');
  const latency = filtered.events[0]!.at - wrote;
  assert.ok(latency < 1000, `delivered after ${latency.toFixed(0)} ms`);
  await waitFor('both on the plain stream', () => all.rows().filter((r) => r.action === 'CREATED').length >= 2 && true);
  assert.ok(filtered.rows().every((r) => r.target_path.endsWith('.log') && r.action === 'CREATED'));
  assert.equal(filtered.events[0]!.id, String(filtered.rows()[0].eid));
  const bad = await d.request('GET', `/v1/events/file_events/stream?where=${encodeURIComponent('no_column = 1')}`);
  assert.equal(bad.status, 400);
  assert.match(bad.json.error, /no such column: no_column/);
  const twoStatements = await d.request('GET', `/v1/events/file_events/stream?where=${encodeURIComponent('1); select (1')}`);
  assert.equal(twoStatements.status, 400);
  const escape = await d.request('GET', `/v1/events/file_events/stream?where=${encodeURIComponent('1) UNION SELECT uid FROM users --')}`);
  assert.equal(escape.status, 400);
  assert.match(escape.json.error, /comment|parenthesis/);
  all.close();
  filtered.close();
  await d.stop();
});

test('stop and restart, then resume from Last-Event-ID: no loss, no duplicate', async () => {
  const d = await daemon().start();
  const first = new SseClient(`${d.url}/v1/events/file_events/stream`, d.token);
  await waitFor('stream open', () => first.status === 200);
  for (let i = 0; i < 5; i++) writeFileSync(join(d.watchDir, `before-${i}.txt`), String(i));
  await waitFor('5 creations', () => first.rows().filter((r) => r.action === 'CREATED').length >= 5);
  await new Promise((r) => setTimeout(r, 300));
  const seen = first.events.map((e) => Number(e.id));
  const lastId = String(seen[seen.length - 1]);
  first.close();
  const stopped = await d.stop();
  assert.equal(stopped.code, 0);
  // files changed while the daemon is down are not seen (inotify), but rows stored after restart must follow
  await d.start();
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < 5; i++) writeFileSync(join(d.watchDir, `after-${i}.txt`), String(i));
  const stored = await waitFor('stored rows after restart', async () => {
    const r = await d.request('GET', '/v1/events/file_events?peek=true');
    const rows = r.json.rows as { eid: number; target_path: string; action: string }[];
    return rows.filter((row) => row.target_path.includes('after-') && row.action === 'CREATED').length >= 5 && rows;
  });
  const resumed = new SseClient(`${d.url}/v1/events/file_events/stream`, d.token, lastId);
  const expected = stored.map((r) => Number(r.eid)).filter((eid) => eid > Number(lastId));
  await waitFor('resumed rows', () => resumed.events.length >= expected.length && true);
  await new Promise((r) => setTimeout(r, 200));
  const ids = resumed.events.map((e) => Number(e.id));
  assert.deepEqual(ids.slice(0, expected.length), expected, 'exactly the rows after Last-Event-ID, in order');
  assert.equal(new Set([...seen, ...ids]).size, seen.length + ids.length, 'no duplicate across the restart');
  const allEids = stored.map((r) => Number(r.eid));
  assert.deepEqual([...seen, ...ids].filter((e) => allEids.includes(e)).sort((a, b) => a - b), allEids.filter((e) => e > Math.min(...seen) - 1), 'no loss');
  resumed.close();
  await d.stop();
});

test('SIGTERM under load loses nothing that was stored', async () => {
  const d = await daemon().start();
  const stream = new SseClient(`${d.url}/v1/events/file_events/stream`, d.token, '0');
  await waitFor('stream open', () => stream.status === 200);
  let writing = true;
  let n = 0;
  const writer = (async () => {
    while (writing) {
      writeFileSync(join(d.watchDir, `load-${n++ % 50}.txt`), String(n));
      if (n % 20 === 0) await new Promise((r) => setImmediate(r));
    }
  })();
  const queries = Promise.all(Array.from({ length: 20 }, () => d.query('select count(*) from file_events', { peek: true }).catch(() => undefined)));
  await waitFor('rows streaming', () => stream.events.length > 50 && true);
  const { code, ms } = await d.stop();
  writing = false;
  assert.ok(ms < 10_000, `stopped in ${ms} ms:\n${d.stderr.slice(-2000)}`);
  await writer;
  await queries;
  assert.equal(code, 0);
  const beforeStop = stream.events.map((e) => Number(e.id));
  await d.start();
  const after = await d.request('GET', '/v1/events/file_events?peek=true');
  const eids = (after.json.rows as { eid: number }[]).map((r) => Number(r.eid));
  for (const eid of beforeStop) assert.ok(eids.includes(eid), `eid ${eid} streamed before SIGTERM is still stored`);
  for (let i = 1; i < eids.length; i++) assert.equal(eids[i], eids[i - 1]! + 1, 'stored eids are contiguous');
  stream.close();
  await d.stop();
});

test('where is evaluated on the real table: column affinity applies (uid = \'<n>\' matches a BIGINT uid)', async () => {
  const d = await daemon().start();
  const uid = process.getuid!();
  const all = new SseClient(`${d.url}/v1/events/file_events/stream`, d.token);
  const textual = new SseClient(`${d.url}/v1/events/file_events/stream?where=${encodeURIComponent(`uid = '${uid}' AND target_path LIKE '%affinity%'`)}`, d.token);
  await waitFor('streams open', () => all.status === 200 && textual.status === 200);
  writeFileSync(join(d.watchDir, 'affinity.txt'), '1');
  await waitFor('row on the plain stream', () => all.rows().find((r) => r.target_path.endsWith('affinity.txt')));
  // the same rows as the table's own answer to the same WHERE
  const expected = await waitFor('stored', async () => {
    const r = await d.query(`SELECT eid FROM file_events WHERE uid = '${uid}' AND target_path LIKE '%affinity%'`, { peek: true });
    return r.json.rows.length > 0 && r.json.rows.map((row: { eid: number }) => String(row.eid));
  });
  const got = await waitFor('filtered rows', () => textual.events.length >= expected.length && textual.events.map((e) => e.id));
  assert.deepEqual(got.slice(0, expected.length), expected);
  all.close();
  textual.close();
  await d.stop();
});
