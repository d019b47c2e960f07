import type { QuarryConfig } from './types.js';

/**
 * --config_dump output: one `{"<source>": <content>}` line per source, in the order applied (osquery's format),
 * then one per pack file the sources name.
 */
export function configDump(config: Pick<QuarryConfig, 'sources'> & Partial<Pick<QuarryConfig, 'packSources'>>): string {
  return [...config.sources, ...(config.packSources ?? [])].map((source) => `{${JSON.stringify(source.path)}: ${source.content.trim()}}\n`).join('');
}

/** osquery_info.config_hash of a loaded config ('' when there is none). */
export function configHash(config: Pick<QuarryConfig, 'hash'> | undefined): string {
  return config?.hash ?? '';
}
