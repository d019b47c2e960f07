// The floor for bench/http/run.ts: a bare fastify route returning a constant, in its own process like quarryd.
import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.get('/constant', async () => ({ columns: [{ name: 'x', type: 'INTEGER' }], rows: [{ x: 1 }] }));
app.post('/constant', async () => ({ columns: [{ name: 'x', type: 'INTEGER' }], rows: [{ x: 1 }] }));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${address}\n`);
