import { test } from 'node:test';
import assert from 'node:assert/strict';
import { select } from '../engine.js';
import { lines, run } from '../system-tools.js';

test('memory_info totals equal free -b, and moving figures are close to it', () => {
  const [row] = select('memory_info');
  const table = lines(run('free', ['-b', '-w']));
  const mem = table.find((l) => l.startsWith('Mem:'))!.split(/\s+/).slice(1).map(Number);
  const swap = table.find((l) => l.startsWith('Swap:'))!.split(/\s+/).slice(1).map(Number);
  assert.ok(row);
  // free -w columns: total used free shared buffers cache available
  assert.equal(row.memory_total, mem[0]);
  assert.equal(row.swap_total, swap[0]);
  const near = (a: unknown, b: number, what: string) =>
    assert.ok(Math.abs((a as number) - b) <= Math.max(64 * 1024 * 1024, b * 0.05), `${what}: ${a} vs ${b}`);
  near(row.memory_free, mem[2]!, 'memory_free');
  near(row.buffers, mem[4]!, 'buffers');
  near(row.memory_available, mem[6]!, 'memory_available');
  near(row.swap_free, swap[2]!, 'swap_free');
});
