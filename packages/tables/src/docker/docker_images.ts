/** osquery's docker_images: `GET /images/json`. */
import type { Row, TableDefinition } from '@quarry/sql';
import type { DockerTableDeps } from './docker-api.js';
import { apiFor, joined, num, objects, text, withoutSha } from './docker-values.js';

export function dockerImagesTable(deps: DockerTableDeps): TableDefinition {
  return {
    name: 'docker_images',
    description: 'Docker images information.',
    columns: [
      { name: 'id', type: 'TEXT', collate: 'nocase', description: 'Image ID' },
      { name: 'created', type: 'BIGINT', description: 'Time of creation as UNIX time' },
      { name: 'size_bytes', type: 'BIGINT', description: 'Size of image in bytes' },
      { name: 'tags', type: 'TEXT', description: 'Comma-separated list of repository tags' },
    ],
    *generate(context): Iterable<Row> {
      for (const image of objects(apiFor(deps, context).get('/images/json'))) {
        yield { id: withoutSha(text(image, 'Id')), created: num(image, 'Created'), size_bytes: num(image, 'Size'), tags: joined(image, 'RepoTags', ',') };
      }
    },
  };
}
