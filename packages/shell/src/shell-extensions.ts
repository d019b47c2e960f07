/**
 * quarryi's extension manager, as osqueryi's: it runs only when an extension is autoloaded (--extension,
 * --extensions_autoload) or --disable_extensions=false was given; the socket defaults to ~/.osquery/shell.em.
 * Autoloaded extensions are waited for (--extensions_timeout) before the first statement runs; registered tables
 * join the shell's engine (the backend's setExtensionTables), queries on the socket run on the same backend.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Flags } from '@quarry/config';
import type { ExtensionManager } from '@quarry/extensions';
import type { ExtensionsState, QueryBackend } from './backend.js';

/** Whether osqueryi would start its extension manager with these flags. */
export function shellWantsExtensions(flags: Flags): boolean {
  return flags.string('extension') !== '' || flags.source('extensions_autoload') !== 'default' || (flags.source('disable_extensions') !== 'default' && !flags.bool('disable_extensions'));
}

export interface ShellExtensions {
  stop(): Promise<void>;
}

/** The manager's registrations as the engine needs them. */
function extensionsState(manager: ExtensionManager, socket: string): ExtensionsState {
  return { tables: manager.tableSpecs(), extensions: manager.extensionRows(), registry: manager.registryRows(), socket };
}

export async function startShellExtensions(flags: Flags, backend: QueryBackend, warn: (message: string) => void): Promise<ShellExtensions | undefined> {
  if (flags.bool('disable_extensions') || !backend.setExtensions) return undefined;
  const { ExtensionLauncher, ExtensionManager, ManagerServer, flagOptions, readAutoloadFile, waitForExtensions } = await import('@quarry/extensions');
  const socketPath = flags.isDefault('extensions_socket') ? join(homedir(), '.osquery', 'shell.em') : flags.string('extensions_socket');
  const timeoutSeconds = Number(flags.string('extensions_timeout'));
  const intervalSeconds = Number(flags.string('extensions_interval'));
  const log = { info: () => undefined, warn };
  const reserved = new Set((await backend.tables()).map((table) => table.name.toLowerCase()));
  const manager = new ExtensionManager({
    socketPath,
    options: () => flagOptions(flags),
    query: async (sql) => {
      const outcome = await backend.execute(sql);
      await outcome.commit();
      const rows = outcome.rows.map((row) => Object.fromEntries(outcome.columns.map((name, i) => [name, row[i] ?? ''])));
      return { columns: outcome.columns.map((name, i) => ({ name, type: outcome.columnTypes?.[i] ?? 'UNKNOWN' })), rows };
    },
    columns: (sql) => backend.columnsOf(sql),
    reservedTableNames: () => reserved,
    corePlugins: { config: ['filesystem', 'tls'], logger: ['filesystem', 'stdout'] },
    log,
    timeoutMs: timeoutSeconds * 1000,
    intervalMs: intervalSeconds * 1000,
    maxReplyBytes: 64 * 1024 * 1024,
  });
  let applied = Promise.resolve();
  manager.onChange(() => {
    const state = extensionsState(manager, socketPath);
    applied = applied.then(() => backend.setExtensions!(state)).catch((error: Error) => warn(`Extension tables: ${error.message}`));
  });
  const server = new ManagerServer(manager);
  try {
    await server.listen();
  } catch (error) {
    warn(`Extension manager not started: ${(error as Error).message}`);
    return undefined;
  }
  manager.startHealthChecks();
  const launcher = new ExtensionLauncher({ socketPath, timeoutSeconds, intervalSeconds, verbose: flags.bool('verbose'), log });
  const paths: string[] = [];
  if (flags.string('extension') !== '') paths.push(flags.string('extension'));
  const autoload = flags.string('extensions_autoload');
  if (flags.source('extensions_autoload') !== 'default' || existsSync(autoload)) {
    try {
      paths.push(...readAutoloadFile(autoload));
    } catch (error) {
      warn(`${(error as Error).message}; no extension is autoloaded from it`);
    }
  }
  launcher.start(paths);
  const stop = async (): Promise<void> => {
    manager.stop();
    await launcher.stop();
    await server.close();
  };
  // As osqueryi: wait for the autoloaded extensions to register (up to --extensions_timeout), then for --extensions_require.
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (manager.list().length < launcher.pids().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const required = flags.string('extensions_require').split(',').map((name) => name.trim()).filter(Boolean);
  try {
    await waitForExtensions(required, (name) => manager.byName(name) !== undefined, Math.max(0, deadline - Date.now()));
  } catch (error) {
    await stop();
    throw error;
  }
  await applied;
  return { stop };
}
