import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { readLines, splitFields, stripComment } from '../system/host-files.js';
import { namespaceRoots, PID_WITH_NAMESPACE } from '../files/namespace-roots.js';

function* generate(context: QueryContext): Iterable<Row> {
  for (const root of namespaceRoots(context)) {
    for (const line of readLines(root.path('/etc/hosts') ?? '')) {
      const fields = splitFields(stripComment(line));
      if (fields.length < 2) continue;
      yield { address: fields[0], hostnames: fields.slice(1).join(' '), pid_with_namespace: root.pid };
    }
  }
}

export const etc_hosts: TableDefinition = {
  name: 'etc_hosts',
  description: 'Line-parsed /etc/hosts.',
  aliases: ['hosts'],
  attributes: { cacheable: true },
  columns: [
    { name: 'address', type: 'TEXT', description: 'IP address mapping' },
    { name: 'hostnames', type: 'TEXT', description: 'Raw hosts mapping' },
    { ...PID_WITH_NAMESPACE, description: 'Pids that contain a namespace' },
  ],
  generate,
};
