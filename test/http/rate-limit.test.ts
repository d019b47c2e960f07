/**
 * Rate limits per consumer (issue #10 item 6): every loopback client is 127.0.0.1, so a bucket per address made one
 * busy poller starve everyone. A poller with 50 connections draining as consumer 'http' gets 429s, while /metrics
 * scrapes, /healthz, quarryi --connect (consumer 'shell') and another consumer keep answering 200 beside it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { QuarrydProcess } from '../daemon/quarryd-process.js';
import { quarryiPath } from '../shell/quarryi.js';

const RATE = 20;
const POLLER_CONNECTIONS = 50;

let d: QuarrydProcess;
before(async () => {
  d = new QuarrydProcess({ flags: [`--http_rate_limit=${RATE}`, '--http_max_concurrent_queries=8'] });
  d.writeConfig({});
  await d.start();
});
after(async () => {
  await d.stop();
  d.cleanup();
});

async function post(body: object): Promise<number> {
  const response = await fetch(`${d.url}/v1/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  await response.arrayBuffer();
  return response.status;
}

async function get(path: string, token: boolean): Promise<number> {
  const response = await fetch(`${d.url}${path}`, { headers: token ? { authorization: `Bearer ${d.token}` } : {}, signal: AbortSignal.timeout(30_000) });
  await response.arrayBuffer();
  return response.status;
}

test('a busy poller with 50 connections gets 429; /metrics, /healthz, quarryi --connect and other consumers do not', async () => {
  let polling = true;
  const pollerStatuses = new Map<number, number>();
  const poller = Promise.all(
    Array.from({ length: POLLER_CONNECTIONS }, async () => {
      while (polling) {
        const status = await post({ sql: 'SELECT 1 AS one' }).catch(() => 0);
        pollerStatuses.set(status, (pollerStatuses.get(status) ?? 0) + 1);
      }
    }),
  );
  try {
    // the poller has emptied its burst (2 x rate) before the others start
    await new Promise((r) => setTimeout(r, 1500));
    const scrapes: number[] = [];
    const health: number[] = [];
    const others: number[] = [];
    for (let i = 0; i < 15; i++) {
      scrapes.push(await get('/metrics', true));
      health.push(await get('/healthz', false));
      others.push(await post({ sql: 'SELECT 2 AS two', consumer: 'dashboard' }));
      await new Promise((r) => setTimeout(r, 100));
    }
    const shell = await promisify(execFile)(process.execPath, [quarryiPath, '--connect', d.url, `--token_file=${d.tokenFile}`, '--json', 'SELECT 3 AS three'], { timeout: 60_000 });
    assert.match(shell.stdout, /\{"three":"3"\}/);
    assert.deepEqual(new Set(scrapes), new Set([200]), `/metrics answered ${scrapes.join(' ')}`);
    assert.deepEqual(new Set(health), new Set([200]), `/healthz answered ${health.join(' ')}`);
    assert.deepEqual(new Set(others), new Set([200]), `consumer "dashboard" answered ${others.join(' ')}`);
  } finally {
    polling = false;
    await poller;
  }
  assert.ok((pollerStatuses.get(429) ?? 0) > 0, `the poller was limited: ${JSON.stringify([...pollerStatuses])}`);
  assert.ok((pollerStatuses.get(200) ?? 0) > 0, `the poller was served too: ${JSON.stringify([...pollerStatuses])}`);
  // the 429 names the consumer and the flag
  const burst = await Promise.all(
    Array.from({ length: RATE * 3 }, async () => {
      const response = await fetch(`${d.url}/v1/query`, { method: 'POST', headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' }, body: '{"sql":"SELECT 1","consumer":"bursty"}' });
      return { status: response.status, body: (await response.json()) as { error?: string } };
    }),
  );
  const refused = burst.find((answer) => answer.status === 429);
  assert.ok(refused, `a burst of ${RATE * 3} is limited`);
  assert.equal(refused.body.error, `rate limit exceeded for consumer "bursty" (--http_rate_limit=${RATE} requests/s each); slow down and retry`);
});

test('/metrics has an allowance of its own: a scraper flooding it gets 429 there, queries still answer', async () => {
  // batches of 3 x the rate at once, until one is limited (a slow machine refills the bucket while it scrapes)
  const statuses: number[] = [];
  for (let batch = 0; batch < 10 && !statuses.includes(429); batch++) {
    statuses.push(...(await Promise.all(Array.from({ length: RATE * 3 }, () => get('/metrics', true)))));
  }
  assert.ok(statuses.includes(429), `a /metrics flood is limited: ${statuses.join(' ')}`);
  assert.equal(await post({ sql: 'SELECT 1', consumer: 'after_scrape_flood' }), 200);
});
