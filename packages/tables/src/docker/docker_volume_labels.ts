/** osquery's docker_volume_labels: the Labels of `GET /volumes`. */
import type { Row, TableDefinition } from '@quarry/sql';
import type { DockerTableDeps } from './docker-api.js';
import { apiFor, field, objects, text } from './docker-values.js';
import { labelRows } from './labels.js';

export function dockerVolumeLabelsTable(deps: DockerTableDeps): TableDefinition {
  return {
    name: 'docker_volume_labels',
    description: 'Docker volume labels.',
    columns: [
      { name: 'name', type: 'TEXT', index: true, description: 'Volume name' },
      { name: 'key', type: 'TEXT', index: true, description: 'Label key' },
      { name: 'value', type: 'TEXT', description: 'Optional label value' },
    ],
    *generate(context): Iterable<Row> {
      for (const volume of objects(field(apiFor(deps, context).get('/volumes'), 'Volumes'))) yield* labelRows(volume, 'name', text(volume, 'Name'));
    },
  };
}
