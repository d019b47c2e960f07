/**
 * osquery's docker_container_processes: `GET /containers/<id>/top` with osquery's ps fields (dockerd runs the host's
 * ps and keeps the container's processes). Requires an id constraint.
 */
import type { Row, TableDefinition } from '@quarry/sql';
import type { DockerTableDeps } from './docker-api.js';
import { apiFor, field } from './docker-values.js';

/** osquery's Linux field list, 21 fields in this order. */
export const TOP_PS_FIELDS = 'pid,state,uid,gid,euid,egid,suid,sgid,rss,vsz,etime,ppid,pgrp,nlwp,nice,user,time,pcpu,pmem,comm,cmd';

/** An id prefix or a container name: what Docker's /containers/<id> accepts. */
export function containerRefs(values: readonly unknown[]): string[] {
  return values.filter((value): value is string => typeof value === 'string' && /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(value));
}

/** ps' etime ([[DD-]hh:]mm:ss) in seconds; undefined when it is not one. */
export function elapsedSeconds(etime: string): number | undefined {
  const match = /^(?:(?:(\d+)-)?(\d+):)?(\d+):(\d+)$/.exec(etime.trim());
  if (!match) return undefined;
  const [, days, hours, minutes, seconds] = match;
  return Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes) * 60 + Number(seconds);
}

function integer(value: string | undefined): number | null {
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : null;
}

function decimal(value: string | undefined): number | null {
  return value !== undefined && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : null;
}

export function processRow(id: string, fields: readonly string[], nowSeconds: number): Row | undefined {
  if (fields.length !== 21) return undefined;
  const kib = (value: string | undefined) => {
    const parsed = integer(value);
    return parsed === null ? null : parsed * 1000; // osquery appends "000" to ps' KiB figures
  };
  const elapsed = elapsedSeconds(fields[10]!);
  return {
    id,
    pid: integer(fields[0]),
    state: fields[1],
    uid: integer(fields[2]),
    gid: integer(fields[3]),
    euid: integer(fields[4]),
    egid: integer(fields[5]),
    suid: integer(fields[6]),
    sgid: integer(fields[7]),
    wired_size: 0,
    resident_size: kib(fields[8]),
    total_size: kib(fields[9]),
    start_time: elapsed === undefined ? null : nowSeconds - elapsed,
    parent: integer(fields[11]),
    pgroup: integer(fields[12]),
    threads: integer(fields[13]),
    nice: integer(fields[14]),
    user: fields[15],
    time: fields[16],
    cpu: decimal(fields[17]),
    mem: decimal(fields[18]),
    name: fields[19],
    cmdline: fields[20],
  };
}

export function dockerContainerProcessesTable(deps: DockerTableDeps): TableDefinition {
  return {
    name: 'docker_container_processes',
    description: 'Docker container processes.',
    columns: [
      { name: 'id', type: 'TEXT', index: true, required: true, collate: 'nocase', description: 'Container ID' },
      { name: 'pid', type: 'BIGINT', index: true, description: 'Process ID' },
      { name: 'name', type: 'TEXT', description: 'The process path or shorthand argv[0]' },
      { name: 'cmdline', type: 'TEXT', description: 'Complete argv' },
      { name: 'state', type: 'TEXT', description: 'Process state' },
      { name: 'uid', type: 'BIGINT', description: 'User ID' },
      { name: 'gid', type: 'BIGINT', description: 'Group ID' },
      { name: 'euid', type: 'BIGINT', description: 'Effective user ID' },
      { name: 'egid', type: 'BIGINT', description: 'Effective group ID' },
      { name: 'suid', type: 'BIGINT', description: 'Saved user ID' },
      { name: 'sgid', type: 'BIGINT', description: 'Saved group ID' },
      { name: 'wired_size', type: 'BIGINT', description: 'Bytes of unpagable memory used by process' },
      { name: 'resident_size', type: 'BIGINT', description: 'Bytes of private memory used by process' },
      { name: 'total_size', type: 'BIGINT', description: 'Total virtual memory size' },
      { name: 'start_time', type: 'BIGINT', description: 'Process start in seconds since boot (non-sleeping)' },
      { name: 'parent', type: 'BIGINT', description: 'Process parent\'s PID' },
      { name: 'pgroup', type: 'BIGINT', description: 'Process group' },
      { name: 'threads', type: 'INTEGER', description: 'Number of threads used by process' },
      { name: 'nice', type: 'INTEGER', description: 'Process nice level (-20 to 20, default 0)' },
      { name: 'user', type: 'TEXT', description: 'User name' },
      { name: 'time', type: 'TEXT', description: 'Cumulative CPU time. [DD-]HH:MM:SS format' },
      { name: 'cpu', type: 'DOUBLE', description: 'CPU utilization as percentage' },
      { name: 'mem', type: 'DOUBLE', description: 'Memory utilization as percentage' },
    ],
    *generate(context): Iterable<Row> {
      const ids = containerRefs(context.equals('id'));
      if (ids.length === 0) return;
      const answers = apiFor(deps, context).getAll(
        ids.map((id) => `/containers/${encodeURIComponent(id)}/top?ps_args=${encodeURIComponent(`axwwo ${TOP_PS_FIELDS}`)}`),
      );
      const nowSeconds = Math.floor(Date.now() / 1000);
      for (const [index, answer] of answers.entries()) {
        const processes = field(answer, 'Processes');
        if (!Array.isArray(processes)) continue;
        for (const fields of processes) {
          if (!Array.isArray(fields)) continue;
          const row = processRow(ids[index]!, fields.map((value) => String(value)), nowSeconds);
          if (row) yield row;
        }
      }
    },
  };
}
