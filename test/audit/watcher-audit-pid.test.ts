/**
 * Kernel audit across a worker restart: the worker process of quarryd's watcher holds the audit pid; when it is
 * killed with SIGKILL the pid it leaves is stale, and the new worker takes it back (node-audit takes over a stale
 * pid); SIGTERM to the watcher stops the worker, which puts the kernel's audit state back as it found it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../remote/remote-fixtures.js';
import { QuarrydProcess, waitFor } from '../daemon/quarryd-process.js';
import { assertAuditPidFree, auditctlStatus, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, waitForKernelAuditStateRestored, type KernelAuditState } from '../node-audit/audit-state.js';

let initial: KernelAuditState;
let daemon: QuarrydProcess | undefined;

before(() => {
  ensureAuditTools();
  initial = readKernelAuditState();
  assertAuditPidFree(initial);
});

after(async () => {
  if (daemon) {
    await daemon.stop().catch(() => undefined);
    daemon.cleanup();
  }
  await putBackKernelAuditState(initial);
});

const auditPid = (): number => Number(auditctlStatus().get('pid') ?? 0);

async function workerPid(d: QuarrydProcess, not = 0): Promise<number> {
  return waitFor('a worker answering', async () => {
    try {
      const r = await d.query('select pid from osquery_info');
      const pid = Number(r.json?.rows?.[0]?.pid ?? 0);
      return pid !== 0 && pid !== not && pid;
    } catch {
      return false;
    }
  }, 60_000);
}

test('the audit pid follows the worker across a SIGKILL restart; the state is put back at the end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarryd-audit-watcher-'));
  daemon = new QuarrydProcess({ dir, flags: [`--http_port=${await freePort()}`, '--disable_audit=false', '--audit_allow_config=true', `--extensions_socket=${join(dir, 'osquery.em')}`] });
  daemon.writeConfig({});
  await daemon.start();
  const first = await workerPid(daemon);
  await waitFor('the first worker holding the audit pid', () => auditPid() === first, 15_000);
  assert.notEqual(auditPid(), daemon.child!.pid, 'the watcher never holds the audit pid');

  process.kill(first, 'SIGKILL');
  const second = await workerPid(daemon, first);
  await waitFor('the new worker taking the audit pid back', () => auditPid() === second, 30_000);

  assert.equal((await daemon.stop()).code, 0);
  await waitForKernelAuditStateRestored(initial, 15_000, 'the worker stopped by the watcher puts the audit state back');
});
