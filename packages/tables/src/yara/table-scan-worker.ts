/** Worker of ParallelScanner: scans batches of (file, signature) and wakes the waiting query thread. */
import { workerData, parentPort, type MessagePort } from 'node:worker_threads';
import { YaraScanError } from './libyara.js';
import { RuleCache } from './rule-cache.js';
import { matchColumns } from './scan-row.js';
import type { ParallelScanBatch, ParallelScanItem, ParallelScanReply, ParallelScanResult, ParallelScanSettings } from './parallel-scan.js';

const { signal, port } = workerData as { signal: Int32Array; port: MessagePort };
const cache = new RuleCache();
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function scanOne(item: ParallelScanItem, settings: ParallelScanSettings): ParallelScanResult {
  try {
    const rules = cache.get(item.key, item.sources, item.fingerprint);
    return { index: item.index, columns: matchColumns(rules.scanFile(item.realPath, { withStrings: settings.withStrings })) };
  } catch (error) {
    if (error instanceof YaraScanError) return { index: item.index, problem: error.message.replace(/^YARA could not scan .*?: /, 'YARA could not scan it: ') };
    return { index: item.index, problem: `rules: ${(error as Error).message}` };
  } finally {
    if (settings.delayMs > 0) Atomics.wait(sleeper, 0, 0, settings.delayMs);
  }
}

parentPort!.on('message', (batch: ParallelScanBatch) => {
  const reply: ParallelScanReply = { generation: batch.generation, results: batch.items.map((item) => scanOne(item, batch.settings)) };
  port.postMessage(reply);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
