/** Worker of fetchTextSync: one HTTPS GET, the reply posted on the port, then the waiting thread woken. */
import { get } from 'node:https';
import { workerData, type MessagePort } from 'node:worker_threads';
import type { FetchReply, FetchRequest } from './signature-url.js';

const { request, signal, port } = workerData as { request: FetchRequest; signal: Int32Array; port: MessagePort };

function reply(message: FetchReply): void {
  port.postMessage(message);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

const call = get(request.url, { timeout: request.timeoutMs, ...(request.ca ? { ca: request.ca } : {}) }, (response) => {
  if (response.statusCode !== 200) {
    response.resume();
    reply({ ok: false, error: `HTTP status ${response.statusCode ?? 'unknown'} (expected 200)` });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > request.maxBytes) {
      response.destroy();
      reply({ ok: false, error: `the rules are larger than ${request.maxBytes} bytes` });
      return;
    }
    chunks.push(chunk);
  });
  response.on('end', () => reply({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
  response.on('error', (error) => reply({ ok: false, error: error.message }));
});
call.on('timeout', () => call.destroy(new Error(`no answer within ${request.timeoutMs} ms`)));
call.on('error', (error) => reply({ ok: false, error: error.message }));
