import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { isDirectory, listDirectory, readText } from '../system/host-files.js';
import { namespaceRoots, PID_WITH_NAMESPACE } from '../files/namespace-roots.js';
import { resolveLikePattern } from '../files/path-patterns.js';
import { userDataAccounts } from '../users/user-data.js';

/** System-wide site directories (LIKE patterns: `%` is one path level). */
export const SYSTEM_SITE_PATTERNS = [
  '/usr/lib/python%/dist-packages',
  '/usr/lib/python%/site-packages',
  '/usr/local/lib/python%/dist-packages',
  '/usr/local/lib/python%/site-packages',
  '/usr/lib64/python%/site-packages',
  '/usr/local/lib64/python%/site-packages',
  '/opt/conda/lib/python%/site-packages',
  '/opt/conda/envs/%/lib/python%/site-packages',
  '/opt/python%/lib/python%/site-packages',
];

/** Per-user site directories, relative to the home directory. */
export const USER_SITE_PATTERNS = [
  '.local/lib/python%/site-packages',
  '.pyenv/versions/%/lib/python%/site-packages',
  '.pyenv/versions/%/envs/%/lib/python%/site-packages',
  '.asdf/installs/python/%/lib/python%/site-packages',
  '.virtualenvs/%/lib/python%/site-packages',
  '.local/pipx/venvs/%/lib/python%/site-packages',
  '.local/share/pipx/venvs/%/lib/python%/site-packages',
  '.local/share/uv/tools/%/lib/python%/site-packages',
  '.local/share/virtualenvs/%/lib/python%/site-packages',
  '.cache/pypoetry/virtualenvs/%/lib/python%/site-packages',
  'miniconda3/lib/python%/site-packages',
  'miniconda3/envs/%/lib/python%/site-packages',
  'anaconda3/lib/python%/site-packages',
  'anaconda3/envs/%/lib/python%/site-packages',
  'miniforge3/lib/python%/site-packages',
  'miniforge3/envs/%/lib/python%/site-packages',
  'mambaforge/lib/python%/site-packages',
  'mambaforge/envs/%/lib/python%/site-packages',
];

interface DistributionMetadata {
  name: string;
  version: string;
  summary: string;
  author: string;
  license: string;
}

/** The header of a METADATA / PKG-INFO file (RFC 822 style, up to the first blank line). */
export function parseDistributionMetadata(text: string): DistributionMetadata {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0 || line.startsWith(' ') || line.startsWith('\t')) continue;
    const key = line.slice(0, colon).toLowerCase();
    if (!fields.has(key)) fields.set(key, line.slice(colon + 1).trim());
  }
  const get = (key: string) => fields.get(key) ?? '';
  return {
    name: get('name'),
    version: get('version'),
    summary: get('summary'),
    author: get('author') || get('author-email'),
    license: get('license') || get('license-expression'),
  };
}

function* packagesIn(directory: string, uid: number, prefix: string): Iterable<Row> {
  for (const entry of listDirectory(prefix + directory)) {
    let metadataFile: string;
    if (entry.endsWith('.dist-info')) metadataFile = `${directory}/${entry}/METADATA`;
    else if (entry.endsWith('.egg-info')) {
      const path = `${directory}/${entry}`;
      metadataFile = isDirectory(prefix + path) ? `${path}/PKG-INFO` : path;
    } else continue;
    const text = readText(prefix + metadataFile);
    if (text === undefined) continue;
    const metadata = parseDistributionMetadata(text);
    if (!metadata.name) continue;
    yield { ...metadata, uid, path: `${directory}/${entry}`, directory };
  }
}

function siteDirectories(patterns: readonly string[], prefix: string): string[] {
  const out: string[] = [];
  for (const pattern of patterns) for (const path of resolveLikePattern(pattern, 'folders', prefix)) out.push(path.replace(/\/$/, ''));
  return out;
}

function* generate(context: QueryContext): Iterable<Row> {
  for (const root of namespaceRoots(context)) {
    const requested = context.equals('directory').map(String);
    const seen = new Set<string>();
    const scan = function* (directory: string, uid: number): Iterable<Row> {
      if (seen.has(directory)) return;
      seen.add(directory);
      for (const row of packagesIn(directory, uid, root.prefix)) yield { ...row, pid_with_namespace: root.pid };
    };
    if (requested.length > 0) {
      for (const directory of requested) yield* scan(directory.replace(/\/+$/, ''), 0);
      continue;
    }
    for (const directory of siteDirectories(SYSTEM_SITE_PATTERNS, root.prefix)) yield* scan(directory, 0);
    for (const user of userDataAccounts(context)) {
      const home = user.directory.replace(/\/+$/, '');
      if (!home) continue;
      const patterns = USER_SITE_PATTERNS.map((pattern) => `${home}/${pattern}`);
      for (const directory of siteDirectories(patterns, root.prefix)) yield* scan(directory, user.uid);
    }
  }
}

export const python_packages: TableDefinition = {
  name: 'python_packages',
  description: 'Python packages installed in a system.',
  attributes: { userData: true },
  columns: [
    { name: 'name', type: 'TEXT', description: 'Package display name' },
    { name: 'uid', type: 'BIGINT', index: true, description: 'The local user that owns the python package' },
    { name: 'version', type: 'TEXT', collate: 'version', description: 'Package-supplied version' },
    { name: 'summary', type: 'TEXT', description: 'Package-supplied summary' },
    { name: 'author', type: 'TEXT', description: 'Optional package author' },
    { name: 'license', type: 'TEXT', description: 'License under which package is launched' },
    { name: 'path', type: 'TEXT', description: 'Path at which this module resides' },
    { name: 'directory', type: 'TEXT', index: true, optimized: true, description: 'Directory where Python modules are located' },
    { ...PID_WITH_NAMESPACE, description: 'Pids that contain a namespace' },
  ],
  generate,
};
