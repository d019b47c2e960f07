/** osquery's docker_version: the engine's `GET /version`. */
import type { Row, TableDefinition } from '@quarry/sql';
import type { DockerTableDeps } from './docker-api.js';
import { apiFor, isObject, text } from './docker-values.js';

export function dockerVersionTable(deps: DockerTableDeps): TableDefinition {
  return {
    name: 'docker_version',
    description: 'Docker version information.',
    attributes: { cacheable: true },
    columns: [
      { name: 'version', type: 'TEXT', collate: 'version', description: 'Docker version' },
      { name: 'api_version', type: 'TEXT', collate: 'version', description: 'API version' },
      { name: 'min_api_version', type: 'TEXT', collate: 'version', description: 'Minimum API version supported' },
      { name: 'git_commit', type: 'TEXT', description: 'Docker build git commit' },
      { name: 'go_version', type: 'TEXT', collate: 'version', description: 'Go version' },
      { name: 'os', type: 'TEXT', description: 'Operating system' },
      { name: 'arch', type: 'TEXT', description: 'Hardware architecture' },
      { name: 'kernel_version', type: 'TEXT', collate: 'version', description: 'Kernel version' },
      { name: 'build_time', type: 'TEXT', description: 'Build time' },
    ],
    *generate(context): Iterable<Row> {
      const version = apiFor(deps, context).get('/version');
      if (!isObject(version)) return;
      yield {
        version: text(version, 'Version'),
        api_version: text(version, 'ApiVersion'),
        min_api_version: text(version, 'MinAPIVersion'),
        git_commit: text(version, 'GitCommit'),
        go_version: text(version, 'GoVersion'),
        os: text(version, 'Os'),
        arch: text(version, 'Arch'),
        kernel_version: text(version, 'KernelVersion'),
        build_time: text(version, 'BuildTime'),
      };
    },
  };
}
