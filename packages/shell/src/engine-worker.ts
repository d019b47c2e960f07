/**
 * The interactive shell's engine thread. The main thread keeps readline responsive (Ctrl-C) while a statement
 * runs here synchronously; it interrupts through a shared Int32Array the engine's progress handler polls.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StatementOutcome } from './backend.js';
import { StatementError } from './backend.js';
import { LocalEngine } from './local-engine.js';
import { prepareFlags } from './setup.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

import type { MessagePort } from 'node:worker_threads';

if (!parentPort) throw new Error('engine-worker.js must run as a worker thread of quarryi');
const port: MessagePort = parentPort;
const init = workerData as WorkerInit;
const send = (message: FromWorker): void => port.postMessage(message);

async function start(): Promise<void> {
  const prepared = await prepareFlags([...init.argv], { interactive: true, loaded: { configView: init.configView } });
  const engine = await LocalEngine.create({
    flags: prepared.flags,
    configView: prepared.configView,
    consumer: prepared.flags.string('consumer'),
    events: init.events,
    interruptSignal: new Int32Array(init.interruptBuffer),
    warn: (message) => send({ type: 'warning', message }),
    planner: (line) => send({ type: 'planner', line }),
  });
  const pending = new Map<number, StatementOutcome>();
  port.on('message', (message: ToWorker) => {
    void handle(message);
  });
  const handle = async (message: ToWorker): Promise<void> => {
    switch (message.type) {
      case 'execute':
        try {
          const outcome = await engine.execute(message.sql);
          pending.set(message.id, outcome);
          send({
            type: 'result',
            id: message.id,
            outcome: {
              columns: [...outcome.columns],
              columnTypes: [...(outcome.columnTypes ?? [])],
              rows: outcome.rows.map((row) => [...row]),
              warnings: [...outcome.warnings],
            },
          });
        } catch (error) {
          const failure = error instanceof StatementError ? error : new StatementError(String((error as Error)?.message ?? error));
          send({ type: 'error', id: message.id, message: failure.message, code: failure.code, warnings: [...failure.warnings] });
        }
        return;
      case 'commit':
      case 'discard': {
        const outcome = pending.get(message.id);
        pending.delete(message.id);
        if (message.type === 'commit') await outcome?.commit();
        else await outcome?.release();
        send({ type: 'done', id: message.id });
        return;
      }
      case 'tables':
        send({ type: 'tables', id: message.id, tables: await engine.tables() });
        return;
      case 'columns':
        try {
          send({ type: 'columns', id: message.id, columns: await engine.columnsOf(message.sql) });
        } catch (error) {
          const failure = error instanceof StatementError ? error : new StatementError(String((error as Error)?.message ?? error));
          send({ type: 'error', id: message.id, message: failure.message, code: failure.code, warnings: [] });
        }
        return;
      case 'schema':
        send({ type: 'schema', id: message.id, schema: await engine.schemaOf(message.table) });
        return;
      case 'extensions':
        await engine.setExtensions(message.state);
        send({ type: 'done', id: message.id });
        return;
      case 'close':
        await engine.close();
        send({ type: 'done', id: message.id });
        port.close();
        return;
    }
  };
  send({ type: 'ready' });
}

start().catch((error: unknown) => {
  send({ type: 'fatal', message: (error as Error)?.message ?? String(error) });
});
