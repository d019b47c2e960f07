/** osquery's docker_container_labels: the Labels of `GET /containers/json?all=1` (narrowed by id constraints). */
import type { Row, TableDefinition } from '@quarry/sql';
import type { DockerTableDeps } from './docker-api.js';
import { containerId, listContainers } from './container-list.js';
import { apiFor } from './docker-values.js';
import { labelRows } from './labels.js';

export function dockerContainerLabelsTable(deps: DockerTableDeps): TableDefinition {
  return {
    name: 'docker_container_labels',
    description: 'Docker container labels.',
    columns: [
      { name: 'id', type: 'TEXT', index: true, collate: 'nocase', description: 'Container ID' },
      { name: 'key', type: 'TEXT', index: true, description: 'Label key' },
      { name: 'value', type: 'TEXT', description: 'Optional label value' },
    ],
    *generate(context): Iterable<Row> {
      const list = listContainers(apiFor(deps, context), context);
      if (!list) return;
      for (const container of list.containers) yield* labelRows(container, 'id', containerId(container, list.prefixes));
    },
  };
}
