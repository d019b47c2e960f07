/** osquery's docker_network_labels: the Labels of `GET /networks` (narrowed by id constraints). */
import type { Row, TableDefinition } from '@quarry/sql';
import type { DockerTableDeps } from './docker-api.js';
import { apiFor, idValues, listQuery, objects, shownId, text } from './docker-values.js';
import { labelRows } from './labels.js';

export function dockerNetworkLabelsTable(deps: DockerTableDeps): TableDefinition {
  return {
    name: 'docker_network_labels',
    description: 'Docker network labels.',
    columns: [
      { name: 'id', type: 'TEXT', index: true, collate: 'nocase', description: 'Network ID' },
      { name: 'key', type: 'TEXT', description: 'Label key' },
      { name: 'value', type: 'TEXT', description: 'Optional label value' },
    ],
    *generate(context): Iterable<Row> {
      const prefixes = idValues(context, 'id');
      for (const network of objects(apiFor(deps, context).get(`/networks${listQuery('id', prefixes, false)}`))) {
        yield* labelRows(network, 'id', shownId(text(network, 'Id'), prefixes));
      }
    },
  };
}
