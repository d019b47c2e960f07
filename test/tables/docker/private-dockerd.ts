/**
 * A private Docker engine for the docker table tests: its own data root, exec root, pid file and socket under a
 * temporary directory, no iptables and no default bridge. /var/run/docker.sock and any system dockerd are never
 * touched. The image is built without a registry: a rootfs holding Debian's static busybox, imported with `docker import`.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = new URL('../../../', import.meta.url).pathname;

export const IMAGE = 'quarry-test/busybox:1';

export function ensureDocker(): void {
  execFileSync('sh', [join(repoRoot, 'scripts', 'ensure-docker.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * A /24 under 10.213.0.0/16 that no interface of this host has an address in: a bridge left by a killed earlier run
 * (dockerd's br-<id> keeps its address) or anything else on the machine cannot collide with the test's network.
 */
export function freeTestSubnet(): { subnet: string; gateway: string } {
  const used = new Set<number>();
  const addresses = JSON.parse(execFileSync('ip', ['-j', '-4', 'addr', 'show'], { encoding: 'utf8' })) as Array<{ addr_info?: Array<{ local?: string }> }>;
  for (const link of addresses) {
    for (const info of link.addr_info ?? []) {
      const match = /^10\.213\.(\d+)\./.exec(info.local ?? '');
      if (match) used.add(Number(match[1]));
    }
  }
  for (let third = 0; third < 256; third++) {
    if (!used.has(third)) return { subnet: `10.213.${third}.0/24`, gateway: `10.213.${third}.1` };
  }
  throw new Error('every 10.213.N.0/24 is in use on this host; delete leftover br-* bridges (ip link delete br-...)');
}

export class PrivateDockerd {
  readonly root: string;
  readonly socket: string;
  private daemon: ChildProcess | undefined;

  constructor() {
    // Short: a UNIX socket path must stay under 108 bytes.
    this.root = mkdtempSync('/tmp/qdock-');
    this.socket = join(this.root, 'docker.sock');
  }

  /** `docker -H unix://<socket> ...args`; throws with docker's stderr when it fails. */
  docker(args: readonly string[], input?: Buffer | string): string {
    const result = spawnSync('docker', ['-H', `unix://${this.socket}`, ...args], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`docker ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
    return result.stdout;
  }

  dockerJson<T = unknown>(args: readonly string[]): T {
    return JSON.parse(this.docker(args)) as T;
  }

  async start(): Promise<void> {
    const log = openSync(join(this.root, 'dockerd.log'), 'a');
    this.daemon = spawn(
      'dockerd',
      [
        '--data-root', join(this.root, 'data'),
        '--exec-root', join(this.root, 'exec'),
        '--pidfile', join(this.root, 'docker.pid'),
        '--host', `unix://${this.socket}`,
        '--iptables=false',
        '--bridge=none',
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.daemon.exitCode !== null) throw new Error(`dockerd exited (${this.daemon.exitCode}): ${this.logTail()}`);
      const probe = spawnSync('docker', ['-H', `unix://${this.socket}`, 'info', '--format', '{{.ID}}'], { encoding: 'utf8', timeout: 10_000 });
      if (probe.status === 0) return;
      if (Date.now() > deadline) throw new Error(`dockerd did not answer on ${this.socket} within 30 s: ${this.logTail()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Imports a busybox-only image (no registry) with a label. */
  importBusyboxImage(): void {
    const rootfs = join(this.root, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
    for (const applet of ['sh', 'sleep']) symlinkSync('busybox', join(rootfs, 'bin', applet));
    const tar = execFileSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
    this.docker(['import', '--change', 'LABEL quarry.image=busybox', '-', IMAGE], tar);
  }

  logTail(): string {
    try {
      return readFileSync(join(this.root, 'dockerd.log'), 'utf8').split('\n').slice(-8).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** The host bridge (`br-<12 hex>`) of each user-defined bridge network: dockerd leaves them behind when it stops. */
  private bridges(): string[] {
    try {
      return this.docker(['network', 'ls', '-q', '--no-trunc', '--filter', 'driver=bridge']).split('\n').filter(Boolean).map((id) => `br-${id.slice(0, 12)}`);
    } catch {
      return [];
    }
  }

  /**
   * Removes every container and user-defined network, stops dockerd (SIGTERM, waits for its exit), deletes any bridge
   * interface it left, unmounts leftovers and removes the directory.
   */
  async stop(): Promise<void> {
    let bridges: string[] = [];
    if (this.daemon && this.daemon.exitCode === null) {
      bridges = this.bridges();
      try {
        const ids = this.docker(['ps', '-aq']).split('\n').filter(Boolean);
        if (ids.length > 0) this.docker(['rm', '-f', ...ids]);
        this.docker(['network', 'prune', '-f']);
      } catch {
        // dockerd is going away anyway
      }
      const exited = new Promise<void>((resolve) => this.daemon!.once('exit', () => resolve()));
      this.daemon.kill('SIGTERM');
      const timer = setTimeout(() => this.daemon?.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    for (const bridge of bridges) {
      if (existsSync(`/sys/class/net/${bridge}`)) spawnSync('ip', ['link', 'delete', bridge]);
    }
    const mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .map((path) => path.replace(/\\040/g, ' '))
      .filter((path) => path.startsWith(`${this.root}/`))
      .sort((a, b) => b.length - a.length);
    for (const mount of mounts) spawnSync('umount', ['-l', mount]);
    if (existsSync(this.root)) rmSync(this.root, { recursive: true, force: true });
  }
}
