import { hostname } from 'node:os';
import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { readLines, splitFields } from '../system/host-files.js';
import { namespaceRoots, PID_WITH_NAMESPACE } from '../files/namespace-roots.js';

/** glibc's limits: MAXNS nameservers, MAXDNSRCH search domains, MAXRESOLVSORT sortlist pairs. */
const MAX_NAMESERVERS = 3;
const MAX_SEARCH = 6;
const MAX_SORTLIST = 10;

/** RES_INIT | RES_RECURSE | RES_DEFNAMES | RES_DNSRCH: what res_init(3) sets before reading options. */
const DEFAULT_OPTIONS = 0x1 | 0x40 | 0x80 | 0x200;
const OPTION_BITS: Readonly<Record<string, number>> = {
  debug: 0x2,
  'use-vc': 0x8,
  rotate: 0x4000,
  edns0: 0x100000,
  'single-request': 0x200000,
  'single-request-reopen': 0x400000,
  'no-tld-query': 0x1000000,
  'no-reload': 0x2000000,
  'trust-ad': 0x4000000,
  'no-aaaa': 0x8000000,
};

function applyOptions(options: number, words: readonly string[]): number {
  let result = options;
  for (const word of words) result |= OPTION_BITS[word] ?? 0;
  return result;
}

/** A classful default mask, as res_init uses for a sortlist entry without one. */
function naturalMask(address: string): string {
  const first = Number(address.split('.')[0]);
  if (first < 128) return '255.0.0.0';
  if (first < 192) return '255.255.0.0';
  return '255.255.255.0';
}

interface ResolverConfig {
  nameservers: string[];
  search: string[];
  sortlist: Array<{ address: string; netmask: string }>;
  options: number;
}

/** resolv.conf(5) as glibc's res_init reads it (later search/domain lines replace earlier ones). */
export function parseResolvConf(lines: readonly string[], environment: NodeJS.ProcessEnv): ResolverConfig {
  const config: ResolverConfig = { nameservers: [], search: [], sortlist: [], options: DEFAULT_OPTIONS };
  let searchSet = false;
  for (const line of lines) {
    if (line.startsWith('#') || line.startsWith(';')) continue;
    const [keyword, ...values] = splitFields(line.trim());
    if (keyword === 'nameserver' && values[0] && config.nameservers.length < MAX_NAMESERVERS) {
      config.nameservers.push(values[0]);
    } else if (keyword === 'domain' && values[0]) {
      config.search = [values[0]];
      searchSet = true;
    } else if (keyword === 'search') {
      config.search = values.slice(0, MAX_SEARCH);
      searchSet = true;
    } else if (keyword === 'sortlist') {
      for (const entry of values) {
        if (config.sortlist.length >= MAX_SORTLIST) break;
        const [address, netmask] = entry.split('/');
        if (address) config.sortlist.push({ address, netmask: netmask ?? naturalMask(address) });
      }
    } else if (keyword === 'options') {
      config.options = applyOptions(config.options, values);
    }
  }
  if (environment.LOCALDOMAIN) {
    config.search = splitFields(environment.LOCALDOMAIN).slice(0, MAX_SEARCH);
    searchSet = true;
  }
  if (!searchSet) {
    const name = hostname();
    const dot = name.indexOf('.');
    if (dot >= 0 && dot < name.length - 1) config.search = [name.slice(dot + 1)];
  }
  if (environment.RES_OPTIONS) config.options = applyOptions(config.options, splitFields(environment.RES_OPTIONS));
  return config;
}

function* generate(context: QueryContext): Iterable<Row> {
  for (const root of namespaceRoots(context)) {
    const config = parseResolvConf(readLines(root.path('/etc/resolv.conf') ?? ''), process.env);
    const common = { options: config.options, pid_with_namespace: root.pid };
    for (const [id, address] of config.nameservers.entries()) yield { id, type: 'nameserver', address, ...common };
    for (const [id, entry] of config.sortlist.entries()) yield { id, type: 'sortlist', address: entry.address, netmask: entry.netmask, ...common };
    for (const [id, domain] of config.search.entries()) yield { id, type: 'search', address: domain, ...common };
  }
}

export const dns_resolvers: TableDefinition = {
  name: 'dns_resolvers',
  description: 'Resolvers used by this host.',
  columns: [
    { name: 'id', type: 'INTEGER', description: 'Address type index or order' },
    { name: 'type', type: 'TEXT', description: 'Address type: sortlist, nameserver, search' },
    { name: 'address', type: 'TEXT', description: 'Resolver IP/IPv6 address' },
    { name: 'netmask', type: 'TEXT', description: 'Address (sortlist) netmask length' },
    { name: 'options', type: 'BIGINT', description: 'Resolver options' },
    { ...PID_WITH_NAMESPACE, description: 'Pids that contain a namespace' },
  ],
  generate,
};
