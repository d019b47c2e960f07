import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apt_sources } from '@quarry/tables/packages/index';
import { engineWith, mustRun, rows } from '../host-context.js';

/** `apt-cache policy` repository lines: " 500 <uri> <suite>/<component> <arch> Packages" then " release v=..,o=..,n=..". */
function policyRepositories(): Array<{ uri: string; suite: string; fields: Record<string, string> }> {
  const lines = mustRun('apt-cache', ['policy']).split('\n');
  const out: Array<{ uri: string; suite: string; fields: Record<string, string> }> = [];
  for (let i = 0; i < lines.length; i += 1) {
    const match = /^\s*-?\d+\s+(\S+:\/\/\S+)\s+(\S+)\s+\S+\s+Packages/.exec(lines[i]!);
    if (!match) continue;
    const release = /^\s+release\s+(.*)$/.exec(lines[i + 1] ?? '');
    const fields: Record<string, string> = {};
    for (const pair of (release?.[1] ?? '').split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) fields[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    out.push({ uri: match[1]!.replace(/\/+$/, ''), suite: match[2]!.split('/')[0]!, fields });
  }
  return out;
}

test('apt_sources rows match the repositories apt-cache policy reports', async () => {
  const engine = await engineWith(apt_sources);
  const got = rows(engine, 'SELECT * FROM apt_sources');
  const policy = policyRepositories();
  for (const row of got) {
    const entry = policy.find((p) => p.uri === row.base_uri && p.suite === String(row.name).split(' ')[1]);
    assert.ok(entry, `${row.name} known to apt`);
    if (entry.fields.o) assert.equal(row.maintainer, entry.fields.o);
    if (entry.fields.n) assert.equal(row.release, entry.fields.n);
    if (entry.fields.v) assert.equal(row.version, entry.fields.v);
    assert.ok(String(row.source).startsWith('/etc/apt/sources.list'));
  }
  // Every policy repository whose Release file APT has cached appears.
  const cached = policy.filter((p) => p.fields.n);
  for (const entry of cached) assert.ok(got.some((r) => r.base_uri === entry.uri), `${entry.uri} listed`);
});
