/**
 * The docker_* tables against a REAL private dockerd (its own socket under a temp dir; never /var/run/docker.sock):
 * containers with labels, a bind mount, a labelled named volume, `--network none`, a user-defined labelled network
 * with a published port, and one created-but-not-started container. Every column is compared with the docker CLI
 * (`inspect`, `info`, `version`, `top`, `volume/network/image inspect`), /proc and curl; then the bad sockets.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, type Row } from '@quarry/sql';
import { Flags } from '@quarry/config';
import { DEFAULT_DOCKER_SOCKET, dockerTables } from '@quarry/tables/docker/index';
import { quarryi } from '../../shell/quarryi.js';
import { IMAGE, PrivateDockerd, ensureDocker, freeTestSubnet } from './private-dockerd.js';

type Inspect = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let dockerd: PrivateDockerd;
let engine: Engine;
let bindDir: string;
const NAMES = { running: 'quarry-alpha', published: 'quarry-beta', created: 'quarry-gamma' } as const;
let ids: Record<keyof typeof NAMES, string>;
let networkMode: 'user-defined' | 'none-only' = 'none-only';
// The user-defined network's addresses: a /24 free on this host (a killed earlier run may have left its bridge).
const testNet = freeTestSubnet();

function engineFor(socket: string): Promise<Engine> {
  const flags = new Flags();
  flags.set('docker_socket', socket, 'cli');
  return Engine.create({ tables: dockerTables({ flags }) });
}

function rows(sql: string, on: Engine = engine): Row[] {
  const result = on.query(sql);
  assert.deepEqual(result.warnings, [], `no warnings for ${sql}`);
  return result.rows;
}

function inspect(id: string): Inspect {
  return dockerd.dockerJson<Inspect[]>(['inspect', id])[0]!;
}

function seconds(rfc3339: string): number {
  return Math.floor(Date.parse(rfc3339) / 1000);
}

function sortBy<T extends Record<string, unknown>>(list: T[], ...keys: string[]): T[] {
  const key = (item: T) => keys.map((k) => String(item[k])).join('\u0000');
  return [...list].sort((a, b) => key(a).localeCompare(key(b)));
}

before(async () => {
  ensureDocker();
  dockerd = new PrivateDockerd();
  await dockerd.start();
  dockerd.importBusyboxImage();
  bindDir = join(dockerd.root, 'bind');
  mkdirSync(bindDir);
  dockerd.docker(['volume', 'create', '--label', 'quarry.volume=data', '--label', 'tier=test', 'quarry-vol']);
  dockerd.docker(['volume', 'create', '--driver', 'local', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=1m', 'quarry-tmpfs']);
  const running = dockerd.docker([
    'run', '-d', '--name', NAMES.running, '--label', 'quarry.test=alpha', '--label', 'empty=', '-e', 'QUARRY_ENV=one', '-e', 'SECOND=two',
    '--entrypoint', '/bin/sleep', '--network', 'none', '--read-only', '--security-opt', 'no-new-privileges',
    '-v', `${bindDir}:/data:ro`, '-v', 'quarry-vol:/vol', IMAGE, '300',
  ]).trim();
  let published: string;
  try {
    dockerd.docker(['network', 'create', '--label', 'quarry.network=beta', '--subnet', testNet.subnet, '--gateway', testNet.gateway, 'quarry-net']);
    published = dockerd.docker(['run', '-d', '--name', NAMES.published, '--network', 'quarry-net', '-p', '127.0.0.1::80', '-p', '127.0.0.1::53/udp', IMAGE, 'sleep', '300']).trim();
    networkMode = 'user-defined';
  } catch {
    // A user-defined bridge may not work with --iptables=false on some kernels: the container then has no network.
    published = dockerd.docker(['run', '-d', '--name', NAMES.published, '--network', 'none', IMAGE, 'sleep', '300']).trim();
  }
  const created = dockerd.docker(['create', '--name', NAMES.created, '--privileged', '--network', 'none', IMAGE, 'sh', '-c', 'exit 0']).trim();
  ids = { running, published, created };
  engine = await engineFor(dockerd.socket);
});

after(async () => {
  engine?.close();
  await dockerd?.stop();
});

test('--docker_socket is osquery\'s flag with its default /var/run/docker.sock', () => {
  const flags = new Flags();
  assert.equal(flags.value('docker_socket'), DEFAULT_DOCKER_SOCKET);
  assert.equal(DEFAULT_DOCKER_SOCKET, '/var/run/docker.sock');
  assert.equal(flags.definition('docker_socket').type, 'string');
});

test('docker_version equals `docker version` (Server) and the raw /version of curl', () => {
  const server = dockerd.dockerJson<Inspect>(['version', '--format', '{{json .Server}}']);
  const raw = rawApi('/version');
  assert.deepEqual(rows('select * from docker_version'), [{
    version: server.Version, api_version: server.ApiVersion, min_api_version: server.MinAPIVersion, git_commit: server.GitCommit,
    go_version: server.GoVersion, os: server.Os, arch: server.Arch, kernel_version: server.KernelVersion, build_time: raw.BuildTime,
  }]);
});

function rawApi(path: string): Inspect {
  const result = spawnSync('curl', ['-sf', '--unix-socket', dockerd.socket, `http://docker${path}`], { encoding: 'utf8' });
  assert.equal(result.status, 0, `curl ${path}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Inspect;
}

test('docker_info equals the raw /info (curl) column by column, and `docker info` where the CLI shows the field', () => {
  const info = rawApi('/info');
  const cli = dockerd.dockerJson<Inspect>(['info', '--format', '{{json .}}']);
  for (const key of ['ID', 'Containers', 'ContainersRunning', 'Images', 'Driver', 'NCPU', 'MemTotal', 'DockerRootDir', 'KernelVersion', 'ServerVersion']) {
    assert.equal(info[key], cli[key], `the CLI agrees with curl on ${key}`);
  }
  const [row] = rows('select * from docker_info');
  assert.ok(row);
  const bool = (value: unknown) => (value === true ? 1 : 0);
  const expected: Record<string, unknown> = {
    id: info.ID, containers: info.Containers, containers_running: info.ContainersRunning, containers_paused: info.ContainersPaused,
    containers_stopped: info.ContainersStopped, images: info.Images, storage_driver: info.Driver, memory_limit: bool(info.MemoryLimit),
    swap_limit: bool(info.SwapLimit), cpu_cfs_period: bool(info.CpuCfsPeriod), cpu_cfs_quota: bool(info.CpuCfsQuota),
    cpu_shares: bool(info.CPUShares), cpu_set: bool(info.CPUSet), ipv4_forwarding: bool(info.IPv4Forwarding),
    bridge_nf_iptables: bool(info.BridgeNfIptables), bridge_nf_ip6tables: bool(info.BridgeNfIp6tables), oom_kill_disable: bool(info.OomKillDisable),
    logging_driver: info.LoggingDriver, cgroup_driver: info.CgroupDriver, kernel_version: info.KernelVersion, os: info.OperatingSystem,
    os_type: info.OSType, architecture: info.Architecture, cpus: info.NCPU, memory: info.MemTotal, http_proxy: info.HttpProxy,
    https_proxy: info.HttpsProxy, no_proxy: info.NoProxy, name: info.Name, server_version: info.ServerVersion, root_dir: info.DockerRootDir,
  };
  if ('KernelMemory' in info) expected.kernel_memory = bool(info.KernelMemory);
  for (const [column, value] of Object.entries(expected)) assert.equal(row[column], value, `docker_info.${column}`);
  assert.ok(row.kernel_memory === 0 || row.kernel_memory === 1);
  assert.equal(row.containers, 3);
  assert.equal(row.containers_running, 2);
  assert.equal(row.root_dir, join(dockerd.root, 'data'));
});

function namespaceInode(pid: number, name: string): string {
  return String(statSync(`/proc/${pid}/ns/${name}`).ino);
}

test('docker_containers: every column equals `docker inspect` (and /proc/<pid>/ns for the namespaces)', () => {
  const all = rows('select * from docker_containers');
  const commands = new Map(dockerd.docker(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Command}}']).trim().split('\n')
    .map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1).replace(/^"|"$/g, '')] as const));
  assert.equal(all.length, 3);
  for (const [role, id] of Object.entries(ids)) {
    const details = inspect(id);
    const row = all.find((candidate) => candidate.id === id);
    assert.ok(row, `${role} container listed`);
    const pid = details.State.Pid as number;
    const namespaces = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'user', 'uts'];
    const expected: Row = {
      id: details.Id, name: details.Name, image: details.Config.Image, image_id: String(details.Image).replace(/^sha256:/, ''),
      command: commands.get(details.Id), created: seconds(details.Created), state: details.State.Status,
      pid, path: details.Path, config_entrypoint: (details.Config.Entrypoint ?? []).join(', '), started_at: details.State.StartedAt,
      finished_at: details.State.FinishedAt, privileged: details.HostConfig.Privileged ? 1 : 0,
      security_options: (details.HostConfig.SecurityOpt ?? []).join(', '), env_variables: (details.Config.Env ?? []).join(', '),
      readonly_rootfs: details.HostConfig.ReadonlyRootfs ? 1 : 0,
      ...Object.fromEntries(namespaces.map((name) => [`${name}_namespace`, pid > 0 ? namespaceInode(pid, name) : null])),
    };
    const { status, ...rest } = row;
    assert.deepEqual(rest, expected, `${role} container`);
    assert.match(String(status), role === 'created' ? /^Created/ : /^Up /);
  }
  const alpha = all.find((row) => row.id === ids.running)!;
  assert.equal(alpha.config_entrypoint, '/bin/sleep');
  assert.match(String(alpha.env_variables), /QUARRY_ENV=one, SECOND=two/);
  assert.equal(alpha.readonly_rootfs, 1);
  assert.equal(alpha.security_options, 'no-new-privileges');
  assert.notEqual(alpha.net_namespace, namespaceInode(process.pid, 'net'), 'the container has its own network namespace');
  const gamma = all.find((row) => row.id === ids.created)!;
  assert.equal(gamma.pid, 0);
  assert.equal(gamma.privileged, 1);
});

test('docker_containers: id = (full or short id) and name = narrow to one container; the short id is shown as asked', () => {
  const short = ids.running.slice(0, 12);
  assert.deepEqual(rows(`select id, name from docker_containers where id = '${short}'`), [{ id: short, name: `/${NAMES.running}` }]);
  assert.deepEqual(rows(`select id, name from docker_containers where id = '${ids.published}'`), [{ id: ids.published, name: `/${NAMES.published}` }]);
  assert.deepEqual(rows(`select id, state from docker_containers where name = '/${NAMES.created}'`), [{ id: ids.created, state: 'created' }]);
  assert.deepEqual(rows(`select id from docker_containers where id in ('${ids.created}', '${ids.running}') order by id`).map((row) => row.id), [ids.created, ids.running].sort());
  assert.deepEqual(rows("select id from docker_containers where id = 'not-hex'"), []);
  assert.deepEqual(rows("select id from docker_containers where id = 'ffffffffffff'"), []);
});

test('docker_container_labels equals Config.Labels of each container', () => {
  const expected = Object.values(ids).flatMap((id) => Object.entries((inspect(id).Config.Labels ?? {}) as Record<string, string>).map(([key, value]) => ({ id, key, value })));
  assert.deepEqual(sortBy(rows('select * from docker_container_labels'), 'id', 'key'), sortBy(expected, 'id', 'key'));
  assert.deepEqual(rows(`select key, value from docker_container_labels where id = '${ids.running}' order by key`),
    [{ key: 'empty', value: '' }, { key: 'quarry.image', value: 'busybox' }, { key: 'quarry.test', value: 'alpha' }], 'its own labels and the image\'s');
});

test('docker_container_mounts equals inspect Mounts (the bind mount and the named volume)', () => {
  const expected = Object.values(ids).flatMap((id) =>
    (inspect(id).Mounts as Inspect[]).map((mount) => ({
      id, type: mount.Type, name: mount.Name ?? '', source: mount.Source, destination: mount.Destination, driver: mount.Driver ?? '',
      mode: mount.Mode, rw: mount.RW ? 1 : 0, propagation: mount.Propagation,
    })));
  assert.equal(expected.length, 2);
  assert.deepEqual(sortBy(rows('select * from docker_container_mounts'), 'id', 'destination'), sortBy(expected, 'id', 'destination'));
  const bind = rows(`select * from docker_container_mounts where id = '${ids.running}' and type = 'bind'`)[0]!;
  assert.equal(bind.source, bindDir);
  assert.equal(bind.rw, 0);
  const volume = rows(`select * from docker_container_mounts where id = '${ids.running}' and name = 'quarry-vol'`)[0]!;
  assert.equal(volume.destination, '/vol');
});

test('docker_container_networks equals inspect NetworkSettings.Networks', () => {
  const expected = Object.values(ids).flatMap((id) =>
    Object.entries(inspect(id).NetworkSettings.Networks as Record<string, Inspect>).map(([name, network]) => ({
      id, name, network_id: network.NetworkID, endpoint_id: network.EndpointID, gateway: network.Gateway, ip_address: network.IPAddress,
      ip_prefix_len: network.IPPrefixLen, ipv6_gateway: network.IPv6Gateway, ipv6_address: network.GlobalIPv6Address,
      ipv6_prefix_len: network.GlobalIPv6PrefixLen, mac_address: network.MacAddress,
    })));
  assert.deepEqual(sortBy(rows('select * from docker_container_networks'), 'id', 'name'), sortBy(expected, 'id', 'name'));
  if (networkMode === 'user-defined') {
    const beta = rows(`select * from docker_container_networks where id = '${ids.published}'`)[0]!;
    assert.equal(beta.name, 'quarry-net');
    assert.equal(beta.gateway, testNet.gateway);
    assert.equal(String(beta.ip_address).replace(/\.\d+$/, '.1'), testNet.gateway);
    assert.equal(beta.ip_prefix_len, 24);
  }
});

test('docker_container_ports equals inspect NetworkSettings.Ports (the published ports)', () => {
  const expected = Object.values(ids).flatMap((id) =>
    Object.entries((inspect(id).NetworkSettings.Ports ?? {}) as Record<string, Inspect[] | null>).flatMap(([spec, bindings]) => {
      const [port, type] = spec.split('/');
      return (bindings ?? []).map((binding) => ({ id, type, port: Number(port), host_ip: binding.HostIp, host_port: Number(binding.HostPort) }));
    }));
  if (networkMode === 'user-defined') assert.equal(expected.length, 2);
  assert.deepEqual(sortBy(rows('select * from docker_container_ports'), 'id', 'type', 'port'), sortBy(expected, 'id', 'type', 'port'));
});

test('docker_images and docker_image_labels equal `docker image inspect`', () => {
  const image = dockerd.dockerJson<Inspect[]>(['image', 'inspect', IMAGE])[0]!;
  const id = String(image.Id).replace(/^sha256:/, '');
  assert.deepEqual(rows('select * from docker_images'), [{ id, created: seconds(image.Created), size_bytes: image.Size, tags: (image.RepoTags as string[]).join(',') }]);
  assert.deepEqual(rows('select * from docker_image_labels'), Object.entries(image.Config.Labels as Record<string, string>).map(([key, value]) => ({ id, key, value })));
  assert.deepEqual(rows(`select key from docker_image_labels where id = '${id}'`), [{ key: 'quarry.image' }]);
});

test('docker_volumes and docker_volume_labels equal `docker volume inspect`', () => {
  const names = dockerd.docker(['volume', 'ls', '-q']).split('\n').filter(Boolean);
  const volumes = dockerd.dockerJson<Inspect[]>(['volume', 'inspect', ...names]);
  assert.deepEqual(
    sortBy(rows('select * from docker_volumes'), 'name'),
    sortBy(volumes.map((volume) => ({ name: volume.Name, driver: volume.Driver, mount_point: volume.Mountpoint, type: volume.Options?.type ?? '' })), 'name'),
  );
  assert.equal(rows("select type from docker_volumes where name = 'quarry-tmpfs'")[0]?.type, 'tmpfs');
  const labels = volumes.flatMap((volume) => Object.entries((volume.Labels ?? {}) as Record<string, string>).map(([key, value]) => ({ name: volume.Name, key, value })));
  assert.deepEqual(sortBy(rows('select * from docker_volume_labels'), 'name', 'key'), sortBy(labels, 'name', 'key'));
  assert.deepEqual(rows("select key, value from docker_volume_labels where name = 'quarry-vol' and key = 'tier'"), [{ key: 'tier', value: 'test' }]);
});

test('docker_networks and docker_network_labels equal `docker network inspect`', () => {
  const networks = dockerd.dockerJson<Inspect[]>(['network', 'inspect', ...dockerd.docker(['network', 'ls', '-q', '--no-trunc']).split('\n').filter(Boolean)]);
  const expected = networks.map((network) => ({
    id: network.Id, name: network.Name, driver: network.Driver, created: seconds(network.Created), enable_ipv6: network.EnableIPv6 ? 1 : 0,
    subnet: network.IPAM?.Config?.[0]?.Subnet ?? null, gateway: network.IPAM?.Config?.[0]?.Gateway ?? null,
  }));
  assert.deepEqual(sortBy(rows('select * from docker_networks'), 'id'), sortBy(expected, 'id'));
  const labels = networks.flatMap((network) => Object.entries((network.Labels ?? {}) as Record<string, string>).map(([key, value]) => ({ id: network.Id, key, value })));
  assert.deepEqual(sortBy(rows('select * from docker_network_labels'), 'id', 'key'), sortBy(labels, 'id', 'key'));
  if (networkMode === 'user-defined') {
    const net = networks.find((network) => network.Name === 'quarry-net')!;
    const short = String(net.Id).slice(0, 12);
    assert.deepEqual(rows(`select id, name, subnet, gateway from docker_networks where id = '${short}'`), [{ id: short, name: 'quarry-net', subnet: testNet.subnet, gateway: testNet.gateway }]);
    assert.deepEqual(rows(`select key, value from docker_network_labels where id = '${net.Id}'`), [{ key: 'quarry.network', value: 'beta' }]);
  }
});

test('docker_container_processes equals `docker top` with the same ps fields; start_time from etime', () => {
  const listed = dockerd.docker(['top', ids.running, '-o', 'pid,ppid,uid,gid,user,nlwp,comm,cmd']).trim().split('\n').slice(1)
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, uid, gid, user, nlwp, comm, ...cmd]) => ({ pid: Number(pid), parent: Number(ppid), uid: Number(uid), gid: Number(gid), user, threads: Number(nlwp), name: comm, cmdline: cmd.join(' ') }));
  const got = rows(`select pid, parent, uid, gid, user, threads, name, cmdline from docker_container_processes where id = '${ids.running}'`);
  assert.deepEqual(got, listed);
  assert.equal(got.length, 1);
  const [row] = rows(`select * from docker_container_processes where id = '${ids.running}'`);
  const pid = inspect(ids.running).State.Pid as number;
  assert.equal(row!.pid, pid);
  assert.equal(row!.cmdline, '/bin/sleep 300', 'the --entrypoint and its argument');
  assert.equal(row!.wired_size, 0);
  const status = (key: string) => Number(/\d+/.exec(spawnSync('grep', [`^${key}:`, `/proc/${pid}/status`], { encoding: 'utf8' }).stdout)?.[0]);
  assert.equal(row!.resident_size, status('VmRSS') * 1000, 'rss KiB × 1000, as osquery');
  assert.equal(row!.total_size, status('VmSize') * 1000, 'vsz KiB × 1000, as osquery');
  const started = seconds(inspect(ids.running).State.StartedAt);
  assert.ok(Math.abs(Number(row!.start_time) - started) <= 2, `start_time ${row!.start_time} near the container start ${started}`);
  const shortName = rows(`select pid from docker_container_processes where id = '${NAMES.running}'`);
  assert.deepEqual(shortName, [{ pid }], 'a container name works too');
  assert.deepEqual(rows(`select pid from docker_container_processes where id = '${ids.running}' and pid = 1`), []);
});

test('docker_container_processes without an id constraint is refused as osquery does', () => {
  assert.throws(() => engine.query('select * from docker_container_processes'), /required column/);
});

test('docker_container_stats: one sample per id; name, pids, memory limit and cpu counters agree with docker and the cgroup', () => {
  const [row] = rows(`select * from docker_container_stats where id = '${ids.running}'`);
  assert.ok(row);
  assert.equal(row.id, ids.running);
  assert.equal(row.name, `/${NAMES.running}`);
  const cli = dockerd.dockerJson<Inspect>(['stats', '--no-stream', '--format', '{{json .}}', ids.running]);
  assert.equal(row.pids, Number(cli.PIDs));
  assert.equal(row.online_cpus, dockerd.dockerJson<Inspect>(['info', '--format', '{{json .}}']).NCPU);
  assert.ok(Number(row.memory_limit) > 0 && Number(row.memory_usage) > 0);
  assert.ok(Number(row.read) >= Number(row.preread) && Number(row.preread) > 0);
  assert.ok(Number(row.interval) > 0 && Number(row.interval) < 10e9, `interval ${row.interval} ns`);
  assert.ok(Number(row.cpu_total_usage) >= Number(row.pre_cpu_total_usage));
  assert.ok(Number(row.system_cpu_usage) > Number(row.pre_system_cpu_usage));
  assert.equal(row.network_rx_bytes, 0, '--network none');
  const unknown = engine.query("select id from docker_container_stats where id = 'ffffffffffff'");
  assert.deepEqual(unknown.rows, []);
  assert.deepEqual(unknown.warnings.map((warning) => warning.replace(dockerd.socket, '<socket>')), ['docker API GET /containers/ffffffffffff/stats?stream=false on <socket> answered HTTP 404: No such container: ffffffffffff']);
});

test('a missing socket: no rows and ONE warning naming the socket; other tables of the query still answer', async () => {
  const missing = join(dockerd.root, 'no-such.sock');
  const other = await engineFor(missing);
  try {
    const result = other.query('select * from docker_containers');
    assert.deepEqual(result.rows, []);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0]!, new RegExp(`Error connecting to docker sock ${missing.replace(/[.]/g, '\\.')}: .*ENOENT`));
    const joined = other.query('select (select count(*) from docker_info) as info, (select count(*) from docker_version) as version, 1 as one');
    assert.deepEqual(joined.rows, [{ info: 0, version: 0, one: 1 }]);
  } finally {
    other.close();
  }
});

test('a plain file, or a socket that is not Docker: no rows and a warning that names it', async () => {
  const plain = join(dockerd.root, 'plain-file.sock');
  writeFileSync(plain, 'not a socket');
  const plainEngine = await engineFor(plain);
  try {
    const result = plainEngine.query('select * from docker_info');
    assert.deepEqual(result.rows, []);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0]!, /Error connecting to docker sock .*plain-file\.sock/);
  } finally {
    plainEngine.close();
  }
  // An HTTP server that is not dockerd, in another process (this thread blocks while the table waits for it).
  const fake = join(dockerd.root, 'not-docker.sock');
  const server = spawn(process.execPath, ['-e', `require('node:http').createServer((q, r) => r.end('hello, I am not dockerd')).listen(${JSON.stringify(fake)})`], { stdio: 'ignore' });
  try {
    for (let waited = 0; !existsSync(fake); waited += 50) {
      assert.ok(waited < 10_000, 'the fake server listens');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const fakeEngine = await engineFor(fake);
    try {
      const result = fakeEngine.query('select * from docker_version');
      assert.deepEqual(result.rows, []);
      assert.equal(result.warnings.length, 1);
      assert.match(result.warnings[0]!, /Invalid docker API response for \/version on .*not-docker\.sock: not JSON/);
    } finally {
      fakeEngine.close();
    }
  } finally {
    server.kill('SIGTERM');
  }
});

test('quarryi --docker_socket one-shot; --disable_tables removes a docker table', () => {
  const result = quarryi([`--docker_socket=${dockerd.socket}`, '--json', 'select name, state from docker_containers order by name']);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), Object.values(NAMES).sort().map((name) => ({ name: `/${name}`, state: name === NAMES.created ? 'created' : 'running' })));
  const disabled = quarryi([`--docker_socket=${dockerd.socket}`, '--disable_tables=docker_info', '--json', 'select * from docker_info']);
  assert.notEqual(disabled.status, 0);
  assert.match(disabled.stderr, /no such table: docker_info/);
});
