/** osquery's docker_image_labels: the Labels of `GET /images/json`. */
import type { Row, TableDefinition } from '@quarry/sql';
import type { DockerTableDeps } from './docker-api.js';
import { apiFor, objects, text, withoutSha } from './docker-values.js';
import { labelRows } from './labels.js';

export function dockerImageLabelsTable(deps: DockerTableDeps): TableDefinition {
  return {
    name: 'docker_image_labels',
    description: 'Docker image labels.',
    columns: [
      { name: 'id', type: 'TEXT', index: true, collate: 'nocase', description: 'Image ID' },
      { name: 'key', type: 'TEXT', description: 'Label key' },
      { name: 'value', type: 'TEXT', description: 'Optional label value' },
    ],
    *generate(context): Iterable<Row> {
      for (const image of objects(apiFor(deps, context).get('/images/json'))) yield* labelRows(image, 'id', withoutSha(text(image, 'Id')));
    },
  };
}
