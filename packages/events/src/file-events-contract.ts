/**
 * The contract between the file publisher (@quarry/publishers, type `inotify`) and its subscribers
 * (file_events, yara_events): what a subscription asks for and what an event context carries.
 * It lives here because subscribers may not import publishers.
 */
import type { EventContext } from './types.js';

export const FILE_PUBLISHER_TYPE = 'inotify';

export type FileAction =
  | 'CREATED'
  | 'UPDATED'
  | 'DELETED'
  | 'MOVED_FROM'
  | 'MOVED_TO'
  | 'ATTRIBUTES_MODIFIED'
  | 'OPENED'
  | 'ACCESSED';

/** One `file_paths` pattern of one category, as a subscriber asks for it. */
export interface FileSubscription {
  category: string;
  /** osquery pattern: `/etc/%%`, `/tmp/%`, `/bin/%sh`, `/etc/passwd`, `/etc/%%/%.conf`, ... */
  pattern: string;
  /** The category is listed in `file_accesses`: also report OPENED / ACCESSED. */
  accesses: boolean;
  /** `exclude_paths` patterns (osquery applies all of them to every category). */
  excludes: readonly string[];
}

export interface FileEventContext extends EventContext {
  /** The path as users see it (UTF-8; invalid bytes shown as \xNN). */
  path: string;
  /** The path's raw bytes as a latin1 string: `Buffer.from(pathBytes, 'latin1')` for fs calls. */
  pathBytes: string;
  action: FileAction;
  category: string;
  /** The inotify rename cookie: non-zero only for MOVED_FROM / MOVED_TO, equal within a pair. */
  transactionId: number;
  isDirectory: boolean;
  /** The matching subscription asked for accesses (file_accesses): no hashing, as osquery. */
  accessCategory: boolean;
}

/**
 * Reads the FIM part of an osquery.conf: `file_paths` (category → patterns), `exclude_paths`, `file_accesses`.
 * Throws an Error naming the key and the fix for a malformed section. Categories in `file_accesses` or
 * `exclude_paths` that are not in `file_paths` are ignored, as osquery does.
 */
export function fileSubscriptionsFromConfig(config: Readonly<Record<string, unknown>>, categories?: ReadonlySet<string>): FileSubscription[] {
  const filePaths = config['file_paths'];
  if (filePaths === undefined || filePaths === null) return [];
  if (typeof filePaths !== 'object' || Array.isArray(filePaths)) {
    throw new Error('config key "file_paths" must be an object of category → list of paths, e.g. {"homes": ["/home/%%"]}');
  }
  const excludeSection = config['exclude_paths'];
  if (excludeSection !== undefined && excludeSection !== null && (typeof excludeSection !== 'object' || Array.isArray(excludeSection))) {
    throw new Error('config key "exclude_paths" must be an object of category → list of paths, e.g. {"homes": ["/home/%/.cache/%%"]}');
  }
  const accessSection = config['file_accesses'];
  if (accessSection !== undefined && accessSection !== null && (!Array.isArray(accessSection) || accessSection.some((c) => typeof c !== 'string'))) {
    throw new Error('config key "file_accesses" must be an array of file_paths category names, e.g. ["homes"]');
  }
  const accessCategories = new Set<string>((accessSection as string[] | undefined) ?? []);
  const pathsByCategory = filePaths as Record<string, unknown>;
  const excludes: string[] = [];
  for (const [category, list] of Object.entries((excludeSection as Record<string, unknown> | undefined) ?? {})) {
    if (!(category in pathsByCategory)) continue;
    const items = typeof list === 'string' ? [list] : list;
    if (!Array.isArray(items)) throw new Error(`config key "exclude_paths.${category}" must be a list of paths`);
    for (const item of items) if (typeof item === 'string' && item.length > 0) excludes.push(item);
  }
  const subscriptions: FileSubscription[] = [];
  for (const [category, list] of Object.entries(pathsByCategory)) {
    if (categories && !categories.has(category)) continue;
    const items = typeof list === 'string' ? [list] : list;
    if (!Array.isArray(items)) {
      throw new Error(`config key "file_paths.${category}" must be a list of paths, e.g. ["/etc/%%"]`);
    }
    for (const pattern of items) {
      // osquery skips empty and non-string entries.
      if (typeof pattern !== 'string' || pattern.length === 0) continue;
      subscriptions.push({ category, pattern, accesses: accessCategories.has(category), excludes });
    }
  }
  return subscriptions;
}
