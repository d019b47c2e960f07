import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dns_resolvers } from '@quarry/tables/network/index';
import { engineWith, mustRun, rows } from '../host-context.js';
import { tempDir } from '../../temp-dir.js';

/** A tiny C program printing what glibc's res_init() made of /etc/resolv.conf. */
function buildResolverProbe(): string {
  const dir = tempDir('quarry-res-');
  const source = join(dir, 'probe.c');
  writeFileSync(
    source,
    `#include <stdio.h>
#include <resolv.h>
#include <arpa/inet.h>
int main(void) {
  res_init();
  printf("options %lu\\n", (unsigned long)_res.options);
  for (int i = 0; i < _res.nscount; i++)
    if (_res.nsaddr_list[i].sin_family == AF_INET) printf("nameserver %s\\n", inet_ntoa(_res.nsaddr_list[i].sin_addr));
  for (int i = 0; i < MAXDNSRCH && _res.dnsrch[i]; i++) printf("search %s\\n", _res.dnsrch[i]);
  return 0;
}
`,
  );
  const binary = join(dir, 'probe');
  mustRun('gcc', [source, '-o', binary, '-lresolv']);
  return binary;
}

test('dns_resolvers matches res_init(3): nameservers, search list and the options bitmask', async () => {
  const probe = buildResolverProbe();
  const engine = await engineWith(dns_resolvers);
  for (const resOptions of [undefined, 'rotate edns0 single-request']) {
    const env = { ...process.env };
    if (resOptions) env.RES_OPTIONS = resOptions;
    else delete env.RES_OPTIONS;
    const lines = mustRun(probe, [], env).trim().split('\n');
    const previous = process.env.RES_OPTIONS;
    if (resOptions) process.env.RES_OPTIONS = resOptions;
    else delete process.env.RES_OPTIONS;
    try {
      const got = rows(engine, 'SELECT id, type, address, options FROM dns_resolvers');
      const options = Number(lines.find((l) => l.startsWith('options '))!.split(' ')[1]);
      for (const row of got) assert.equal(row.options, options, `options with RES_OPTIONS=${resOptions}`);
      const nameservers = lines.filter((l) => l.startsWith('nameserver ')).map((l) => l.split(' ')[1]);
      const ipv4Rows = got.filter((r) => r.type === 'nameserver' && !String(r.address).includes(':'));
      assert.deepEqual(ipv4Rows.map((r) => r.address), nameservers);
      const search = lines.filter((l) => l.startsWith('search ')).map((l) => l.split(' ')[1]);
      assert.deepEqual(got.filter((r) => r.type === 'search').map((r) => r.address), search);
    } finally {
      if (previous === undefined) delete process.env.RES_OPTIONS;
      else process.env.RES_OPTIONS = previous;
    }
  }
});
