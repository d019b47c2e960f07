/** osquery's docker_volumes: `GET /volumes`. */
import type { Row, TableDefinition } from '@quarry/sql';
import type { DockerTableDeps } from './docker-api.js';
import { apiFor, field, objects, text } from './docker-values.js';

export function dockerVolumesTable(deps: DockerTableDeps): TableDefinition {
  return {
    name: 'docker_volumes',
    description: 'Docker volumes information.',
    columns: [
      { name: 'name', type: 'TEXT', index: true, description: 'Volume name' },
      { name: 'driver', type: 'TEXT', description: 'Volume driver' },
      { name: 'mount_point', type: 'TEXT', description: 'Mount point' },
      { name: 'type', type: 'TEXT', description: 'Volume type' },
    ],
    *generate(context): Iterable<Row> {
      for (const volume of objects(field(apiFor(deps, context).get('/volumes'), 'Volumes'))) {
        yield { name: text(volume, 'Name'), driver: text(volume, 'Driver'), mount_point: text(volume, 'Mountpoint'), type: text(volume, 'Options.type') };
      }
    },
  };
}
