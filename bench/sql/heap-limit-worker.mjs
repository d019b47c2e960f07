// One side of bench/sql/heap-limit.ts: an engine (with workerData.heapLimitBytes) over 100,000 rows that runs each
// statement it is sent and answers with its wall time in ms.
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from '@quarry/sql';

const data = Array.from({ length: 100_000 }, (_, i) => ({ path: `/var/tmp/dir${i % 100}/file-${i}.txt`, size: (i * 37) % 65536, uid: i % 7 }));
const table = {
  name: 'files_bench',
  description: 'bench rows',
  columns: [{ name: 'path', type: 'TEXT' }, { name: 'size', type: 'BIGINT' }, { name: 'uid', type: 'BIGINT' }],
  generate: () => data,
};
const engine = await Engine.create({ tables: [table], heapLimitBytes: workerData.heapLimitBytes });
parentPort.on('message', (sql) => {
  const start = performance.now();
  engine.query(sql);
  parentPort.postMessage(performance.now() - start);
});
parentPort.postMessage('ready');
