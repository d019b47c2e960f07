/**
 * The test fleet server (test/fleet/fleet-server.ts) in a process of its own, so a bench measures quarryd's side
 * only. Usage: node --import tsx bench/fleet/fleet-server-process.ts CERT KEY — prints `port N` once listening;
 * GET /_stats answers {logs, results}.
 */
import { FleetServer } from '../../test/fleet/fleet-server.js';

const [cert, key] = process.argv.slice(2);
if (!cert || !key) throw new Error('usage: fleet-server-process.ts CERT KEY');
const server = await new FleetServer({ tls: { cert, key } }).start();
process.stdout.write(`port ${server.port}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
