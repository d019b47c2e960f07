/** osquery's docker_networks: `GET /networks` (narrowed by id constraints with Docker's id filter). */
import type { Row, TableDefinition } from '@quarry/sql';
import type { DockerTableDeps } from './docker-api.js';
import { apiFor, field, flag, idValues, listQuery, objects, shownId, text, unixSeconds } from './docker-values.js';

export function dockerNetworksTable(deps: DockerTableDeps): TableDefinition {
  return {
    name: 'docker_networks',
    description: 'Docker networks information.',
    columns: [
      { name: 'id', type: 'TEXT', index: true, collate: 'nocase', description: 'Network ID' },
      { name: 'name', type: 'TEXT', description: 'Network name' },
      { name: 'driver', type: 'TEXT', description: 'Network driver' },
      { name: 'created', type: 'BIGINT', description: 'Time of creation as UNIX time' },
      { name: 'enable_ipv6', type: 'INTEGER', description: '1 if IPv6 is enabled on this network. 0 otherwise' },
      { name: 'subnet', type: 'TEXT', description: 'Network subnet' },
      { name: 'gateway', type: 'TEXT', description: 'Network gateway' },
    ],
    *generate(context): Iterable<Row> {
      const prefixes = idValues(context, 'id');
      for (const network of objects(apiFor(deps, context).get(`/networks${listQuery('id', prefixes, false)}`))) {
        const [ipam] = objects(field(network, 'IPAM.Config'));
        yield {
          id: shownId(text(network, 'Id'), prefixes),
          name: text(network, 'Name'),
          driver: text(network, 'Driver'),
          created: unixSeconds(text(network, 'Created')),
          enable_ipv6: flag(network, 'EnableIPv6'),
          subnet: ipam ? text(ipam, 'Subnet') : null,
          gateway: ipam ? text(ipam, 'Gateway') : null,
        };
      }
    },
  };
}
