import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIpv6 } from '@quarry/tables/network/ip-address';
import { select } from '../engine.js';
import { lines, run } from '../system-tools.js';

/** A child process holding a TCP listener on 127.0.0.1 and ::1, a UDP socket, a connected TCP pair and a UNIX socket. */
const LISTENER = `
const net = require('node:net'); const dgram = require('node:dgram');
const out = {};
const tcp4 = net.createServer((s) => s.on('error', () => {})).listen(0, '127.0.0.1', () => {
  out.tcp4 = tcp4.address().port;
  const tcp6 = net.createServer().listen(0, '::1', () => {
    out.tcp6 = tcp6.address().port;
    const udp = dgram.createSocket('udp4'); udp.bind(0, '127.0.0.1', () => {
      out.udp4 = udp.address().port;
      const client = net.connect(out.tcp4, '127.0.0.1', () => {
        out.client = client.localPort;
        const unix = net.createServer().listen(process.argv[1], () => { out.unix = process.argv[1]; console.log(JSON.stringify(out)); });
      });
    });
  });
});
setInterval(() => {}, 1000);
`;

interface Listener {
  readonly child: ChildProcess;
  readonly ports: { tcp4: number; tcp6: number; udp4: number; client: number; unix: string };
}

async function startListener(t: { after(fn: () => void): void }): Promise<Listener> {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-sock-'));
  const child = spawn(process.execPath, ['-e', LISTENER, join(dir, 'quarry.sock')], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const line = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
  return { child, ports: JSON.parse(line) };
}

/** ss rows for a pid: state, local, peer, inode and fd, from `ss -H -a -n -p -e` (tcp, udp, unix). */
function ssSockets(pid: number, protocolFlag: string) {
  return lines(run('ss', ['-H', '-a', '-n', '-p', '-e', protocolFlag]))
    .filter((l) => l.includes(`pid=${pid},`))
    .map((l) => {
      const fields = l.trim().split(/\s+/);
      const unix = protocolFlag === '-x';
      return {
        state: unix ? fields[1] : fields[0],
        local: unix ? fields[4] : fields[3],
        inode: Number(unix ? fields[5] : /ino:(\d+)/.exec(l)?.[1]),
        fd: Number(new RegExp(`pid=${pid},fd=(\\d+)`).exec(l)![1]),
      };
    });
}

test('process_open_sockets for a pid matches ss: inodes, fds, addresses, ports and TCP states', async (t) => {
  const { child, ports } = await startListener(t);
  const pid = child.pid!;
  const rows = select('process_open_sockets', { pid: [pid] });
  assert.ok(rows.every((r) => r.pid === pid), 'a pid constraint keeps only that pid');
  const byPort = (port: number, family: number, protocol: number) =>
    rows.find((r) => r.local_port === port && r.family === family && r.protocol === protocol);

  const tcp = ssSockets(pid, '-t');
  for (const expected of tcp) {
    const row = rows.find((r) => r.socket === expected.inode);
    assert.ok(row, `ss socket ${expected.local} (inode ${expected.inode}) missing`);
    assert.equal(row.fd, expected.fd);
    assert.equal(row.state, expected.state === 'ESTAB' ? 'ESTABLISHED' : expected.state);
    assert.equal(`${String(row.local_address).includes(':') ? `[${row.local_address}]` : row.local_address}:${row.local_port}`, expected.local);
  }
  assert.equal(byPort(ports.tcp4, 2, 6)?.state, 'LISTEN');
  assert.equal(byPort(ports.tcp4, 2, 6)?.local_address, '127.0.0.1');
  assert.equal(byPort(ports.tcp6, 10, 6)?.local_address, '::1');
  const client = byPort(ports.client, 2, 6);
  assert.equal(client?.remote_port, ports.tcp4);
  assert.equal(client?.remote_address, '127.0.0.1');
  assert.equal(client?.state, 'ESTABLISHED');

  const udp = ssSockets(pid, '-u');
  assert.equal(udp.length, 1);
  const udpRow = byPort(ports.udp4, 2, 17);
  assert.equal(udpRow?.socket, udp[0]!.inode);
  assert.equal(udpRow?.fd, udp[0]!.fd);
  assert.equal(udpRow?.state, 'NONE');

  const unix = ssSockets(pid, '-x').find((s) => s.local === ports.unix);
  const unixRow = rows.find((r) => r.family === 1 && r.path === ports.unix);
  assert.ok(unix && unixRow);
  assert.equal(unixRow.socket, unix.inode);
  assert.equal(unixRow.fd, unix.fd);
  assert.equal(tcp.length + udp.length, rows.filter((r) => r.family === 2 || r.family === 10).length);
});

test('listening_ports includes every listener ss -l shows, and the unix socket path', async (t) => {
  const { child, ports } = await startListener(t);
  const rows = select('listening_ports');
  for (const line of lines(run('ss', ['-H', '-l', '-n', '-t', '-u']))) {
    const fields = line.trim().split(/\s+/);
    const local = fields[4]!;
    const port = Number(local.slice(local.lastIndexOf(':') + 1));
    const protocol = fields[0] === 'tcp' ? 6 : 17;
    assert.ok(rows.some((r) => r.port === port && r.protocol === protocol), `listener ${fields[0]} ${local} missing`);
  }
  const mine = rows.filter((r) => r.pid === child.pid);
  assert.ok(mine.some((r) => r.port === ports.tcp4 && r.address === '127.0.0.1' && r.family === 2));
  assert.ok(mine.some((r) => r.port === ports.tcp6 && r.address === '::1' && r.family === 10));
  assert.ok(mine.some((r) => r.port === ports.udp4 && r.protocol === 17));
  assert.ok(mine.some((r) => r.path === ports.unix && r.port === 0 && r.family === 1));
  assert.ok(!mine.some((r) => r.port === ports.client), 'a connected socket is not listening');
});

/** A pre-fork server: a listener whose socket a forked worker also holds (the handle travels over IPC). */
const SHARED_LISTENER = `
const net = require('node:net'); const { spawn } = require('node:child_process');
const WORKER = "process.on('message', () => process.send('held')); setInterval(() => {}, 1000);";
const server = net.createServer().listen(0, '127.0.0.1', () => {
  const worker = spawn(process.execPath, ['-e', WORKER], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  worker.send('server', server);
  worker.on('message', () => console.log(JSON.stringify({ port: server.address().port, worker: worker.pid })));
  process.on('SIGTERM', () => { worker.kill(); process.exit(0); });
});
`;

test('a socket shared by several processes has one row per (pid, fd) holder, as ss lists its users', async (t) => {
  const child = spawn(process.execPath, ['-e', SHARED_LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill());
  const { port, worker } = JSON.parse(await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString())))) as { port: number; worker: number };
  const ssLine = lines(run('ss', ['-H', '-l', '-n', '-t', '-p', '-e'])).find((l) => l.includes(`127.0.0.1:${port} `))!;
  assert.ok(ssLine, `ss lists the listener on port ${port}`);
  const inode = Number(/ino:(\d+)/.exec(ssLine)![1]);
  const holders = [...ssLine.matchAll(/pid=(\d+),fd=(\d+)/g)].map((m) => ({ pid: Number(m[1]), fd: Number(m[2]) }));
  const expected = holders.filter((h) => h.pid === child.pid || h.pid === worker).sort((a, b) => a.pid - b.pid || a.fd - b.fd);
  assert.equal(new Set(expected.map((h) => h.pid)).size, 2, 'the server and its worker both hold the socket');

  const opened = select('process_open_sockets', { pid: [child.pid!, worker] })
    .filter((r) => r.socket === inode)
    .map((r) => ({ pid: r.pid, fd: r.fd }))
    .sort((a, b) => Number(a.pid) - Number(b.pid) || Number(a.fd) - Number(b.fd));
  assert.deepEqual(opened, expected);

  const listening = select('listening_ports')
    .filter((r) => r.socket === inode && (r.pid === child.pid || r.pid === worker))
    .map((r) => ({ pid: r.pid, fd: r.fd }))
    .sort((a, b) => Number(a.pid) - Number(b.pid) || Number(a.fd) - Number(b.fd));
  assert.deepEqual(listening, expected);
});

test('IPv6 addresses print as the C library inet_ntop does', () => {
  const samples = ['::1', '::', 'fe80::1', '::ffff:127.0.0.1', '2001:db8:0:1::', '2001:db8:1:0:1::1', '1:0:0:1:0:0:0:1', '::1.2.3.4'];
  const script = 'import socket,sys\nfor a in sys.argv[1:]:\n  b=socket.inet_pton(socket.AF_INET6,a)\n  print(b.hex(), socket.inet_ntop(socket.AF_INET6,b))';
  for (const line of lines(run('python3', ['-c', script, ...samples]))) {
    const [hex, expected] = line.split(' ');
    assert.equal(formatIpv6([...Buffer.from(hex!, 'hex')]), expected, hex);
  }
});
