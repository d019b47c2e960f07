// quarryd: concurrent HTTP drains of one consumer never deliver a row twice (drain lease → 409 Conflict).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QuarrydProcess, SseClient, waitFor } from '../daemon/quarryd-process.js';

let d: QuarrydProcess;
before(async () => {
  d = new QuarrydProcess();
  d.writeConfig({ file_paths: { watched: [`${d.watchDir}/%%`] } });
  await d.start();
});
after(async () => {
  await d.stop();
  d.cleanup();
});

const busyMessage = (consumer: string, pid: number) =>
  `file_events is being drained for consumer "${consumer}" by another query (pid ${pid}); nothing was read — try again when it has finished, or use another consumer name`;

/** Writes `count` files and waits until the daemon stored an event for each (peek: no cursor moves). */
async function makeEvents(prefix: string, count: number): Promise<string[]> {
  const paths = Array.from({ length: count }, (_, i) => join(d.watchDir, `${prefix}-${i}.txt`));
  for (const path of paths) writeFileSync(path, prefix);
  await waitFor(`${count} ${prefix} events stored`, async () => {
    const r = await d.request('GET', '/v1/events/file_events?peek=true');
    const seen = new Set(r.json.rows.map((row: { target_path: string }) => row.target_path));
    return paths.every((path) => seen.has(path));
  }, 10000);
  return paths;
}

const eidsOf = (body: { rows?: { eid: unknown }[] }) => (body.rows ?? []).map((row) => Number(row.eid));

test('two concurrent drains of one consumer: one gets the rows, the other 409; no row twice across them and later drains', async () => {
  await makeEvents('pair', 5);
  const pid = Number((await d.query('select pid from osquery_info')).json.rows[0].pid);
  // a drain that reads file_events, then spends a while on an uncorrelated sub-select before it answers
  const slow = d.query(
    'SELECT eid, (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000) SELECT count(*) FROM c) AS spin FROM file_events',
    { consumer: 'siem' },
  );
  await new Promise((resolve) => setTimeout(resolve, 150));
  const fast = await d.request('GET', '/v1/events/file_events?consumer=siem');
  const first = await slow;
  assert.equal(first.status, 200, JSON.stringify(first.json));
  assert.equal(fast.status, 409, JSON.stringify(fast.json));
  assert.equal(fast.json.error, busyMessage('siem', pid));
  assert.ok(eidsOf(first.json).length >= 5);

  // the 409 read nothing and moved nothing: the next drain starts after the slow drain's rows
  const newer = await makeEvents('after', 3);
  const next = await waitFor('the lease given back', async () => {
    const r = await d.request('GET', '/v1/events/file_events?consumer=siem');
    return r.status === 200 && r;
  });
  const nextEids = eidsOf(next.json);
  assert.deepEqual(nextEids.filter((eid) => eidsOf(first.json).includes(eid)), [], 'no row twice');
  const paths = new Set(next.json.rows.map((row: { target_path: string }) => row.target_path));
  assert.ok(newer.every((path) => paths.has(path)), 'the newer rows came');
  const openapi = await d.request('GET', '/v1/openapi.json');
  assert.ok(openapi.json.paths['/v1/query'].post.responses['409']);
  assert.ok(openapi.json.paths['/v1/events/{table}'].get.responses['409']);
});

test('a burst of concurrent drains of one consumer while events arrive: each row delivered once', async () => {
  const delivered: number[] = [];
  const statuses: Record<number, number> = {};
  let writing = true;
  const writer = (async () => {
    for (let i = 0; writing; i++) {
      writeFileSync(join(d.watchDir, `burst-${i}.txt`), 'b');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  for (let round = 0; round < 8; round++) {
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        i % 2 === 0 ? d.request('GET', '/v1/events/file_events?consumer=burst') : d.query('SELECT eid FROM file_events', { consumer: 'burst' }),
      ),
    );
    for (const answer of answers) {
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      if (answer.status === 200) delivered.push(...eidsOf(answer.json));
    }
  }
  writing = false;
  await writer;
  assert.deepEqual(Object.keys(statuses).filter((s) => s !== '200' && s !== '409'), [], JSON.stringify(statuses));
  // whatever is left, drained once more after the writer stopped and the rows were stored
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const rest = await waitFor('final drain', async () => {
    const r = await d.request('GET', '/v1/events/file_events?consumer=burst');
    return r.status === 200 && r;
  });
  delivered.push(...eidsOf(rest.json));
  const counts = new Map<number, number>();
  for (const eid of delivered) counts.set(eid, (counts.get(eid) ?? 0) + 1);
  assert.deepEqual([...counts].filter(([, n]) => n > 1), [], `no row twice (statuses ${JSON.stringify(statuses)})`);
  const all = eidsOf((await d.request('GET', '/v1/events/file_events?peek=true')).json);
  assert.deepEqual([...counts.keys()].sort((a, b) => a - b), all, 'no row lost');
});

test('an SSE stream with a consumer holds its drain lease: drains and a second stream for it get 409 until it closes', async () => {
  await makeEvents('stream', 2);
  const stream = new SseClient(`${d.url}/v1/events/file_events/stream?consumer=streamer`, d.token);
  await waitFor('stream open', () => stream.status === 200);
  const streamed = await waitFor('stream caught up', () => stream.rows().length > 0 && stream.rows());
  // A drain while the stream is open: refused (409) when there are rows after the consumer's cursor; when the
  // stream has already committed everything there is nothing to deliver, and an empty drain takes no lease (200, []).
  const drain = await d.request('GET', '/v1/events/file_events?consumer=streamer');
  if (drain.status === 409) assert.match(drain.json.error, /is being drained for consumer "streamer"/);
  else {
    assert.equal(drain.status, 200);
    const sentSoFar = new Set(stream.rows().map((row: { eid: number }) => Number(row.eid)));
    assert.deepEqual(eidsOf(drain.json).filter((eid) => sentSoFar.has(eid)), [], 'nothing the stream sent is drained again');
  }
  const second = await d.request('GET', '/v1/events/file_events/stream?consumer=streamer');
  assert.equal(second.status, 409);
  assert.equal((await d.request('GET', '/v1/events/file_events?consumer=other-team')).status, 200, 'other consumers drain');
  const lastStreamed = Math.max(...streamed.map((row: { eid: number }) => Number(row.eid)));
  stream.close();
  await stream.done;
  const after = await waitFor('lease given back on close', async () => {
    const r = await d.request('GET', '/v1/events/file_events?consumer=streamer');
    return r.status === 200 && r;
  });
  const sent = new Set(stream.rows().map((row: { eid: number }) => Number(row.eid)));
  assert.deepEqual(eidsOf(after.json).filter((eid) => sent.has(eid)), [], 'rows the stream sent are not drained again');
  assert.ok(eidsOf(after.json).every((eid) => eid > lastStreamed || !sent.has(eid)));
});
