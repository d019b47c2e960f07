/**
 * osquery's docker_containers: `GET /containers/json?all=1` (narrowed by id constraints), then each container's
 * `GET /containers/<id>/json` for the details (only when the query reads a detail column), and the namespaces of its
 * main process from /proc/<pid>/ns.
 */
import { statSync } from 'node:fs';
import type { Row, TableDefinition } from '@quarry/sql';
import type { DockerObject, DockerTableDeps } from './docker-api.js';
import { containerId, listContainers } from './container-list.js';
import { apiFor, field, flag, isObject, joined, num, text, withoutSha } from './docker-values.js';

const NAMESPACES = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'user', 'uts'] as const;
const DETAIL_COLUMNS = [
  'pid', 'path', 'config_entrypoint', 'started_at', 'finished_at', 'privileged', 'security_options', 'env_variables',
  'readonly_rootfs', ...NAMESPACES.map((namespace) => `${namespace}_namespace`),
];

/** The inode of each /proc/<pid>/ns/<namespace> (what osquery shows); missing ones are left out. */
function namespacesOf(pid: number): Row {
  const row: Row = {};
  for (const namespace of NAMESPACES) {
    try {
      row[`${namespace}_namespace`] = String(statSync(`/proc/${pid}/ns/${namespace}`).ino);
    } catch {
      // the process exited, or no permission (root is needed): osquery leaves the column empty as well
    }
  }
  return row;
}

function details(inspect: DockerObject): Row {
  const pid = num(inspect, 'State.Pid');
  return {
    pid,
    path: text(inspect, 'Path'),
    config_entrypoint: joined(inspect, 'Config.Entrypoint', ', '),
    started_at: text(inspect, 'State.StartedAt'),
    finished_at: text(inspect, 'State.FinishedAt'),
    privileged: flag(inspect, 'HostConfig.Privileged'),
    security_options: joined(inspect, 'HostConfig.SecurityOpt', ', '),
    env_variables: joined(inspect, 'Config.Env', ', '),
    readonly_rootfs: flag(inspect, 'HostConfig.ReadonlyRootfs'),
    ...(pid > 0 ? namespacesOf(pid) : {}),
  };
}

function firstName(container: DockerObject): string | undefined {
  const names = field(container, 'Names');
  return Array.isArray(names) && typeof names[0] === 'string' ? names[0] : undefined;
}

export function dockerContainersTable(deps: DockerTableDeps): TableDefinition {
  return {
    name: 'docker_containers',
    description: 'Docker containers information.',
    columns: [
      { name: 'id', type: 'TEXT', index: true, collate: 'nocase', description: 'Container ID' },
      { name: 'name', type: 'TEXT', index: true, description: 'Container name' },
      { name: 'image', type: 'TEXT', description: 'Docker image (name) used to launch this container' },
      { name: 'image_id', type: 'TEXT', collate: 'nocase', description: 'Docker image ID' },
      { name: 'command', type: 'TEXT', description: 'Command with arguments' },
      { name: 'created', type: 'BIGINT', description: 'Time of creation as UNIX time' },
      { name: 'state', type: 'TEXT', description: 'Container state (created, restarting, running, removing, paused, exited, dead)' },
      { name: 'status', type: 'TEXT', description: 'Container status information' },
      { name: 'pid', type: 'BIGINT', description: 'Identifier of the initial process' },
      { name: 'path', type: 'TEXT', description: 'Container path' },
      { name: 'config_entrypoint', type: 'TEXT', description: 'Container entrypoint(s)' },
      { name: 'started_at', type: 'TEXT', description: 'Container start time as string' },
      { name: 'finished_at', type: 'TEXT', description: 'Container finish time as string' },
      { name: 'privileged', type: 'INTEGER', description: 'Is the container privileged' },
      { name: 'security_options', type: 'TEXT', description: 'List of container security options' },
      { name: 'env_variables', type: 'TEXT', description: 'Container environmental variables' },
      { name: 'readonly_rootfs', type: 'INTEGER', description: 'Is the root filesystem mounted as read only' },
      { name: 'cgroup_namespace', type: 'TEXT', description: 'cgroup namespace' },
      { name: 'ipc_namespace', type: 'TEXT', description: 'IPC namespace' },
      { name: 'mnt_namespace', type: 'TEXT', description: 'Mount namespace' },
      { name: 'net_namespace', type: 'TEXT', description: 'Network namespace' },
      { name: 'pid_namespace', type: 'TEXT', description: 'PID namespace' },
      { name: 'user_namespace', type: 'TEXT', description: 'User namespace' },
      { name: 'uts_namespace', type: 'TEXT', description: 'UTS namespace' },
    ],
    *generate(context): Iterable<Row> {
      const api = apiFor(deps, context);
      const list = listContainers(api, context);
      if (!list) return;
      // name = '...' (osquery's names keep Docker's leading '/'): only those containers are inspected.
      const names = context.equals('name').filter((value): value is string => typeof value === 'string');
      const containers = names.length === 0 ? list.containers : list.containers.filter((container) => names.includes(firstName(container) ?? ''));
      const rows: Row[] = containers.map((container) => ({
        id: containerId(container, list.prefixes),
        name: firstName(container) ?? null,
        image: text(container, 'Image'),
        image_id: withoutSha(text(container, 'ImageID')),
        command: text(container, 'Command'),
        created: num(container, 'Created'),
        state: text(container, 'State'),
        status: text(container, 'Status'),
      }));
      if (DETAIL_COLUMNS.some((column) => context.columnsUsed.has(column))) {
        const inspected = api.getAll(containers.map((container) => `/containers/${encodeURIComponent(text(container, 'Id'))}/json`));
        inspected.forEach((inspect, index) => {
          if (isObject(inspect)) Object.assign(rows[index]!, details(inspect));
        });
      }
      yield* rows;
    },
  };
}
