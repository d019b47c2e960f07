import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuid } from '@quarry/tables/system/cpuid';
import { select } from '../engine.js';
import { lines, run } from '../system-tools.js';

test('cpuid vendor, brand and feature bits agree with lscpu', () => {
  const info = new Map(lines(run('lscpu')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
  const flags = new Set((info.get('Flags') ?? '').split(/\s+/));
  const rows = select('cpuid');
  const byFeature = new Map(rows.map((r) => [r.feature, r]));
  assert.equal(byFeature.get('vendor')?.value, info.get('Vendor ID'));
  assert.equal(byFeature.get('product_name')?.value, info.get('Model name'));
  // lscpu and the kernel name a few bits differently from osquery.
  const kernelName: Record<string, string> = { 'sse4.1': 'sse4_1', 'sse4.2': 'sse4_2', sse3: 'pni', htt: 'ht', clfsh: 'clflush', mmz: 'mmx', sha: 'sha_ni' };
  for (const feature of ['sse', 'sse2', 'sse3', 'sse4.1', 'sse4.2', 'avx', 'avx2', 'aes', 'hypervisor', 'htt', 'mmz', 'sha', 'smep', 'svm', 'vmx']) {
    const row = byFeature.get(feature);
    assert.ok(row, `missing feature ${feature}`);
    assert.equal(row.value, flags.has(kernelName[feature] ?? feature) ? '1' : '0', feature);
  }
  assert.equal(byFeature.get('sse4.2')?.output_register, 'ecx');
  assert.equal(byFeature.get('sse4.2')?.output_bit, 20);
  assert.equal(byFeature.get('sse4.2')?.input_eax, '1');
});
