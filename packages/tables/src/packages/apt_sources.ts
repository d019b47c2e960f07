import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { listDirectory, readLines, readText, splitFields } from '../system/host-files.js';
import { namespaceRoots, PID_WITH_NAMESPACE } from '../files/namespace-roots.js';
import { parseStanzas } from './control-fields.js';

const SOURCES_LIST = '/etc/apt/sources.list';
const SOURCES_DIRECTORY = '/etc/apt/sources.list.d';
const LISTS_DIRECTORY = '/var/lib/apt/lists';

/** One `deb` repository: its URI (no trailing '/') and suite. */
export interface AptRepository {
  readonly baseUri: string;
  readonly suite: string;
}

/** A one-line-style `deb [options] uri suite [components]` entry; deb-src and malformed lines give null. */
export function parseOneLineSource(line: string): AptRepository | null {
  const hash = line.indexOf('#');
  const body = hash >= 0 ? line.slice(0, hash) : line;
  const at = body.indexOf('deb ');
  if (at < 0) return null;
  const tokens = splitFields(body.slice(at + 4));
  let offset = 0;
  if (tokens[0]?.startsWith('[')) {
    while (offset < tokens.length && !tokens[offset]!.includes(']')) offset += 1;
    offset += 1;
  }
  const uri = tokens[offset];
  const suite = tokens[offset + 1];
  if (!uri || !suite || !uri.includes('://')) return null;
  return { baseUri: uri.replace(/\/+$/, ''), suite };
}

/** deb822 `.sources` stanzas: every enabled `Types: deb` URI × suite. */
export function parseDeb822Sources(text: string): AptRepository[] {
  const out: AptRepository[] = [];
  for (const stanza of parseStanzas(text)) {
    if (!splitFields(stanza.get('Types') ?? '').includes('deb')) continue;
    if (/^(no|false|0)$/i.test(stanza.get('Enabled') ?? 'yes')) continue;
    for (const uri of splitFields((stanza.get('URIs') ?? '').replace(/\n/g, ' '))) {
      if (!uri.includes('://')) continue;
      for (const suite of splitFields((stanza.get('Suites') ?? '').replace(/\n/g, ' '))) out.push({ baseUri: uri.replace(/\/+$/, ''), suite });
    }
  }
  return out;
}

/** APT's list-file stem for a repository: host/path, then dists/suite (or the flat suite path), '/' → '_'. */
export function cacheFileStem(repository: AptRepository): string {
  const target = repository.baseUri.slice(repository.baseUri.indexOf('://') + 3);
  const parts = repository.suite.split('/').filter((part) => part.length > 0);
  const components = parts.length === 1 ? [target, 'dists', parts[0]!] : [target, ...parts];
  return components.join('_').replace(/\//g, '_');
}

/** The repository's row from its cached (In)Release file; null when APT has no cache for it (as osquery). */
function repositoryRow(source: string, repository: AptRepository, prefix: string, lists: readonly string[]): Row | null {
  const stem = cacheFileStem(repository);
  const cache = lists.find((name) => name.startsWith(`${stem}_`) && name.endsWith('Release'));
  if (!cache) return null;
  const text = readText(`${prefix}${LISTS_DIRECTORY}/${cache}`);
  if (text === undefined) return null;
  const target = repository.baseUri.slice(repository.baseUri.indexOf('://') + 3);
  const row: Row = { name: `${target} ${repository.suite}`, source, base_uri: repository.baseUri, pid_with_namespace: 0 };
  const fieldColumns: Record<string, string> = { Codename: 'release', Version: 'version', Origin: 'maintainer', Components: 'components', Architectures: 'architectures' };
  for (const line of text.split('\n')) {
    if (line.trim() === '-----BEGIN PGP SIGNATURE-----') break;
    const parts = line.split(':').map((part) => part.trim()).filter((part) => part.length > 0);
    if (parts.length !== 2) continue;
    const column = fieldColumns[parts[0]!];
    if (column) row[column] = parts[1];
  }
  return row;
}

function* generate(context: QueryContext): Iterable<Row> {
  for (const root of namespaceRoots(context)) {
    const lists = listDirectory(root.prefix + LISTS_DIRECTORY);
    const files: Array<{ source: string; repositories: AptRepository[] }> = [];
    const oneLine = (path: string) => readLines(root.prefix + path).map(parseOneLineSource).filter((entry): entry is AptRepository => entry !== null);
    files.push({ source: SOURCES_LIST, repositories: oneLine(SOURCES_LIST) });
    for (const name of listDirectory(root.prefix + SOURCES_DIRECTORY)) {
      const path = `${SOURCES_DIRECTORY}/${name}`;
      if (name.endsWith('.list')) files.push({ source: path, repositories: oneLine(path) });
      else if (name.endsWith('.sources')) files.push({ source: path, repositories: parseDeb822Sources(readText(root.prefix + path) ?? '') });
    }
    for (const { source, repositories } of files) {
      for (const repository of repositories) {
        const row = repositoryRow(source, repository, root.prefix, lists);
        if (row) yield { ...row, pid_with_namespace: root.pid };
      }
    }
  }
}

export const apt_sources: TableDefinition = {
  name: 'apt_sources',
  description: 'Current list of APT repositories or software channels.',
  columns: [
    { name: 'name', type: 'TEXT', description: 'Repository name' },
    { name: 'source', type: 'TEXT', description: 'Source file' },
    { name: 'base_uri', type: 'TEXT', description: 'Repository base URI' },
    { name: 'release', type: 'TEXT', description: 'Release name' },
    { name: 'version', type: 'TEXT', collate: 'version_dpkg', description: 'Repository source version' },
    { name: 'maintainer', type: 'TEXT', description: 'Repository maintainer' },
    { name: 'components', type: 'TEXT', description: 'Repository components' },
    { name: 'architectures', type: 'TEXT', description: 'Repository architectures' },
    { ...PID_WITH_NAMESPACE, description: 'Pids that contain a namespace' },
  ],
  generate,
};
