/**
 * osquery's docker_container_stats: one sample of `GET /containers/<id>/stats?stream=false` per id constraint
 * (dockerd takes about a second per container to have a previous sample). Requires an id constraint.
 */
import type { Row, TableDefinition } from '@quarry/sql';
import type { DockerTableDeps } from './docker-api.js';
import { containerRefs } from './docker_container_processes.js';
import { apiFor, field, isObject, num, objects, text, unixNanos, unixSeconds } from './docker-values.js';

/** A stats request waits for dockerd's second sample: give it more than the other requests. */
const STATS_TIMEOUT_MS = 10000;

/** Sum of blkio io_service_bytes_recursive entries of one op (cgroup v1 says Read, v2 read). */
function ioBytes(stats: unknown, op: string): number {
  return objects(field(stats, 'blkio_stats.io_service_bytes_recursive'))
    .filter((entry) => text(entry, 'op').toLowerCase() === op)
    .reduce((sum, entry) => sum + num(entry, 'value'), 0);
}

function networkBytes(stats: unknown, key: string): number {
  const networks = field(stats, 'networks');
  return isObject(networks) ? Object.values(networks).reduce<number>((sum, network) => sum + num(network, key), 0) : 0;
}

export function statsRow(id: string, stats: unknown): Row {
  const read = text(stats, 'read');
  const preread = text(stats, 'preread');
  const readNanos = unixNanos(read);
  const prereadNanos = unixNanos(preread);
  return {
    id,
    name: text(stats, 'name'),
    pids: num(stats, 'pids_stats.current'),
    read: unixSeconds(read),
    preread: unixSeconds(preread),
    interval: readNanos > 0n && prereadNanos > 0n ? readNanos - prereadNanos : 0,
    disk_read: ioBytes(stats, 'read'),
    disk_write: ioBytes(stats, 'write'),
    num_procs: num(stats, 'num_procs'),
    cpu_total_usage: num(stats, 'cpu_stats.cpu_usage.total_usage'),
    cpu_kernelmode_usage: num(stats, 'cpu_stats.cpu_usage.usage_in_kernelmode'),
    cpu_usermode_usage: num(stats, 'cpu_stats.cpu_usage.usage_in_usermode'),
    system_cpu_usage: num(stats, 'cpu_stats.system_cpu_usage'),
    online_cpus: num(stats, 'cpu_stats.online_cpus'),
    pre_cpu_total_usage: num(stats, 'precpu_stats.cpu_usage.total_usage'),
    pre_cpu_kernelmode_usage: num(stats, 'precpu_stats.cpu_usage.usage_in_kernelmode'),
    pre_cpu_usermode_usage: num(stats, 'precpu_stats.cpu_usage.usage_in_usermode'),
    pre_system_cpu_usage: num(stats, 'precpu_stats.system_cpu_usage'),
    pre_online_cpus: num(stats, 'precpu_stats.online_cpus'),
    memory_usage: num(stats, 'memory_stats.usage'),
    memory_cached: num(stats, 'memory_stats.stats.cache'),
    memory_inactive_file: num(stats, 'memory_stats.stats.inactive_file'),
    memory_total_inactive_file: num(stats, 'memory_stats.stats.total_inactive_file'),
    memory_max_usage: num(stats, 'memory_stats.max_usage'),
    memory_limit: num(stats, 'memory_stats.limit'),
    network_rx_bytes: networkBytes(stats, 'rx_bytes'),
    network_tx_bytes: networkBytes(stats, 'tx_bytes'),
  };
}

export function dockerContainerStatsTable(deps: DockerTableDeps): TableDefinition {
  return {
    name: 'docker_container_stats',
    description: 'Docker container statistics. Queries on this table take at least one second.',
    columns: [
      { name: 'id', type: 'TEXT', index: true, required: true, collate: 'nocase', description: 'Container ID' },
      { name: 'name', type: 'TEXT', index: true, description: 'Container name' },
      { name: 'pids', type: 'INTEGER', description: 'Number of processes' },
      { name: 'read', type: 'BIGINT', description: 'UNIX time when stats were read' },
      { name: 'preread', type: 'BIGINT', description: 'UNIX time when stats were last read' },
      { name: 'interval', type: 'BIGINT', description: 'Difference between read and preread in nano-seconds' },
      { name: 'disk_read', type: 'BIGINT', description: 'Total disk read bytes' },
      { name: 'disk_write', type: 'BIGINT', description: 'Total disk write bytes' },
      { name: 'num_procs', type: 'INTEGER', description: 'Number of processors' },
      { name: 'cpu_total_usage', type: 'BIGINT', description: 'Total CPU usage' },
      { name: 'cpu_kernelmode_usage', type: 'BIGINT', description: 'CPU kernel mode usage' },
      { name: 'cpu_usermode_usage', type: 'BIGINT', description: 'CPU user mode usage' },
      { name: 'system_cpu_usage', type: 'BIGINT', description: 'CPU system usage' },
      { name: 'online_cpus', type: 'INTEGER', description: 'Online CPUs' },
      { name: 'pre_cpu_total_usage', type: 'BIGINT', description: 'Last read total CPU usage' },
      { name: 'pre_cpu_kernelmode_usage', type: 'BIGINT', description: 'Last read CPU kernel mode usage' },
      { name: 'pre_cpu_usermode_usage', type: 'BIGINT', description: 'Last read CPU user mode usage' },
      { name: 'pre_system_cpu_usage', type: 'BIGINT', description: 'Last read CPU system usage' },
      { name: 'pre_online_cpus', type: 'INTEGER', description: 'Last read online CPUs' },
      { name: 'memory_usage', type: 'BIGINT', description: 'Memory usage' },
      { name: 'memory_cached', type: 'BIGINT', description: 'Memory cached' },
      { name: 'memory_inactive_file', type: 'BIGINT', description: 'Memory inactive file' },
      { name: 'memory_total_inactive_file', type: 'BIGINT', description: 'Memory total inactive file' },
      { name: 'memory_max_usage', type: 'BIGINT', description: 'Memory maximum usage' },
      { name: 'memory_limit', type: 'BIGINT', description: 'Memory limit' },
      { name: 'network_rx_bytes', type: 'BIGINT', description: 'Total network bytes read' },
      { name: 'network_tx_bytes', type: 'BIGINT', description: 'Total network bytes transmitted' },
    ],
    *generate(context): Iterable<Row> {
      const ids = containerRefs(context.equals('id'));
      if (ids.length === 0) return;
      const answers = apiFor(deps, context, STATS_TIMEOUT_MS).getAll(ids.map((id) => `/containers/${encodeURIComponent(id)}/stats?stream=false`));
      for (const [index, answer] of answers.entries()) {
        if (isObject(answer)) yield statsRow(ids[index]!, answer);
      }
    },
  };
}
