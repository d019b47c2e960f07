/** osquery's docker_container_ports: the Ports of `GET /containers/json?all=1` (narrowed by id constraints). */
import type { Row, TableDefinition } from '@quarry/sql';
import type { DockerTableDeps } from './docker-api.js';
import { containerId, listContainers } from './container-list.js';
import { apiFor, field, num, objects, text } from './docker-values.js';

export function dockerContainerPortsTable(deps: DockerTableDeps): TableDefinition {
  return {
    name: 'docker_container_ports',
    description: 'Docker container ports.',
    columns: [
      { name: 'id', type: 'TEXT', additional: true, collate: 'nocase', description: 'Container ID' },
      { name: 'type', type: 'TEXT', description: 'Protocol (tcp, udp)' },
      { name: 'port', type: 'INTEGER', description: 'Port inside the container' },
      { name: 'host_ip', type: 'TEXT', description: 'Host IP address on which public port is listening' },
      { name: 'host_port', type: 'INTEGER', description: 'Host port' },
    ],
    *generate(context): Iterable<Row> {
      const list = listContainers(apiFor(deps, context), context);
      if (!list) return;
      for (const container of list.containers) {
        const id = containerId(container, list.prefixes);
        for (const port of objects(field(container, 'Ports'))) {
          yield { id, type: text(port, 'Type'), port: num(port, 'PrivatePort'), host_ip: text(port, 'IP'), host_port: num(port, 'PublicPort') };
        }
      }
    },
  };
}
