import type { TableDefinition } from '@quarry/sql';
import { arp_cache } from './arp_cache.js';
import { dns_resolvers } from './dns_resolvers.js';
import { etc_hosts } from './etc_hosts.js';
import { etc_protocols } from './etc_protocols.js';
import { etc_services } from './etc_services.js';
import { interface_addresses } from './interface_addresses.js';
import { interface_details } from './interface_details.js';
import { routes } from './routes.js';

export { arp_cache, dns_resolvers, etc_hosts, etc_protocols, etc_services, interface_addresses, interface_details, routes };

/** Network tables: interfaces, routes, neighbours and the /etc network databases. */
export const networkTables: TableDefinition[] = [
  interface_addresses,
  interface_details,
  routes,
  arp_cache,
  etc_hosts,
  etc_services,
  etc_protocols,
  dns_resolvers,
];
