/** osquery's docker_container_mounts: the Mounts of `GET /containers/json?all=1` (narrowed by id constraints). */
import type { Row, TableDefinition } from '@quarry/sql';
import type { DockerTableDeps } from './docker-api.js';
import { containerId, listContainers } from './container-list.js';
import { apiFor, field, flag, objects, text } from './docker-values.js';

export function dockerContainerMountsTable(deps: DockerTableDeps): TableDefinition {
  return {
    name: 'docker_container_mounts',
    description: 'Docker container mounts.',
    columns: [
      { name: 'id', type: 'TEXT', index: true, collate: 'nocase', description: 'Container ID' },
      { name: 'type', type: 'TEXT', description: 'Type of mount (bind, volume)' },
      { name: 'name', type: 'TEXT', index: true, description: 'Optional mount name' },
      { name: 'source', type: 'TEXT', description: 'Source path on host' },
      { name: 'destination', type: 'TEXT', description: 'Destination path inside container' },
      { name: 'driver', type: 'TEXT', description: 'Driver providing the mount' },
      { name: 'mode', type: 'TEXT', description: 'Mount options (rw, ro)' },
      { name: 'rw', type: 'INTEGER', description: '1 if read/write. 0 otherwise' },
      { name: 'propagation', type: 'TEXT', description: 'Mount propagation' },
    ],
    *generate(context): Iterable<Row> {
      const list = listContainers(apiFor(deps, context), context);
      if (!list) return;
      for (const container of list.containers) {
        const id = containerId(container, list.prefixes);
        for (const mount of objects(field(container, 'Mounts'))) {
          yield {
            id,
            type: text(mount, 'Type'),
            name: text(mount, 'Name'),
            source: text(mount, 'Source'),
            destination: text(mount, 'Destination'),
            driver: text(mount, 'Driver'),
            mode: text(mount, 'Mode'),
            rw: flag(mount, 'RW'),
            propagation: text(mount, 'Propagation'),
          };
        }
      }
    },
  };
}
