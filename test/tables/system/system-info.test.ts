import { test } from 'node:test';
import assert from 'node:assert/strict';
import { select } from '../engine.js';
import { lines, run } from '../system-tools.js';

function lscpuField(name: string): string | undefined {
  const line = lines(run('lscpu')).find((l) => l.startsWith(`${name}:`));
  return line?.slice(line.indexOf(':') + 1).trim();
}

test('system_info agrees with hostname, getconf and lscpu', () => {
  const [row] = select('system_info');
  assert.ok(row);
  assert.equal(row.hostname, run('hostname').trim());
  assert.equal(row.computer_name, run('hostname').trim());
  assert.equal(row.cpu_type, run('uname', ['-m']).trim());
  assert.equal(row.cpu_logical_cores, Number(run('getconf', ['_NPROCESSORS_CONF']).trim()));
  const pages = Number(run('getconf', ['_PHYS_PAGES']).trim());
  const pageSize = Number(run('getconf', ['PAGESIZE']).trim());
  assert.equal(row.physical_memory, pages * pageSize);
  assert.equal(row.cpu_brand, lscpuField('Model name'));
  assert.equal(row.cpu_sockets, Number(lscpuField('Socket(s)')));
  const cores = new Set(lines(run('lscpu', ['-p=core,socket'])).filter((l) => !l.startsWith('#')));
  assert.equal(row.cpu_physical_cores, cores.size);
  assert.match(String(row.uuid), /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
});
