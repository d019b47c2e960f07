/** osquery's docker_container_networks: NetworkSettings.Networks of `GET /containers/json?all=1`. */
import type { Row, TableDefinition } from '@quarry/sql';
import type { DockerTableDeps } from './docker-api.js';
import { containerId, listContainers } from './container-list.js';
import { apiFor, field, isObject, num, text } from './docker-values.js';

export function dockerContainerNetworksTable(deps: DockerTableDeps): TableDefinition {
  return {
    name: 'docker_container_networks',
    description: 'Docker container networks.',
    columns: [
      { name: 'id', type: 'TEXT', index: true, collate: 'nocase', description: 'Container ID' },
      { name: 'name', type: 'TEXT', index: true, description: 'Network name' },
      { name: 'network_id', type: 'TEXT', collate: 'nocase', description: 'Network ID' },
      { name: 'endpoint_id', type: 'TEXT', collate: 'nocase', description: 'Endpoint ID' },
      { name: 'gateway', type: 'TEXT', description: 'Gateway' },
      { name: 'ip_address', type: 'TEXT', description: 'IP address' },
      { name: 'ip_prefix_len', type: 'INTEGER', description: 'IP subnet prefix length' },
      { name: 'ipv6_gateway', type: 'TEXT', description: 'IPv6 gateway' },
      { name: 'ipv6_address', type: 'TEXT', description: 'IPv6 address' },
      { name: 'ipv6_prefix_len', type: 'INTEGER', description: 'IPv6 subnet prefix length' },
      { name: 'mac_address', type: 'TEXT', collate: 'nocase', description: 'MAC address' },
    ],
    *generate(context): Iterable<Row> {
      const list = listContainers(apiFor(deps, context), context);
      if (!list) return;
      for (const container of list.containers) {
        const id = containerId(container, list.prefixes);
        const networks = field(container, 'NetworkSettings.Networks');
        if (!isObject(networks)) continue;
        for (const [name, network] of Object.entries(networks)) {
          yield {
            id,
            name,
            network_id: text(network, 'NetworkID'),
            endpoint_id: text(network, 'EndpointID'),
            gateway: text(network, 'Gateway'),
            ip_address: text(network, 'IPAddress'),
            ip_prefix_len: num(network, 'IPPrefixLen'),
            ipv6_gateway: text(network, 'IPv6Gateway'),
            ipv6_address: text(network, 'GlobalIPv6Address'),
            ipv6_prefix_len: num(network, 'GlobalIPv6PrefixLen'),
            mac_address: text(network, 'MacAddress'),
          };
        }
      }
    },
  };
}
