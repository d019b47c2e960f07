/**
 * quarryd's extension manager (packages/extensions): the ExtensionManager socket, its queries run on the query pool,
 * extension tables pushed to every query worker, autoloaded extensions, --extensions_require. The manager runs unless
 * --disable_extensions.
 */
import { existsSync } from 'node:fs';
import type { Flags } from '@quarry/config';
import {
  ExtensionLauncher,
  ExtensionLogger,
  SyncExtensionCaller,
  extensionTable,
  ExtensionManager,
  ManagerServer,
  flagOptions,
  readAutoloadFile,
  textRows,
  waitForExtensions,
  type ManagerLog,
} from '@quarry/extensions';
import type { TableDefinition } from '@quarry/sql';
import type { ExtensionRow, RegistryRow } from '@quarry/tables';
import type { QueryPool } from '../pool/query-pool.js';
import type { StatusLog } from '../status-log.js';

/** Largest answer an extension may give to one call (a generate of a big table). */
export const EXTENSION_MAX_REPLY_BYTES = 64 * 1024 * 1024;

export interface DaemonExtensionsOptions {
  readonly flags: Flags;
  readonly log: StatusLog;
  readonly pool: QueryPool;
  /** Quarry's own table and view names (lower case). */
  readonly reservedTableNames: () => ReadonlySet<string>;
  /** Logger plugin names Quarry has itself. */
  readonly coreLoggers: readonly string[];
}

export function extensionSeconds(flags: Flags, name: 'extensions_timeout' | 'extensions_interval'): number {
  return Number(flags.string(name));
}

/** An ExtensionLogger for each --logger_plugin name that is not one of Quarry's own loggers. */
export function extensionLoggers(plugins: string, core: readonly string[], manager: () => ExtensionManager | undefined, log: StatusLog): Record<string, ExtensionLogger> {
  const loggers: Record<string, ExtensionLogger> = {};
  const managerLog: ManagerLog = { info: (text) => log.info(text, 'logger'), warn: (text) => log.warning(text, 'logger') };
  for (const name of plugins.split(',').map((n) => n.trim()).filter(Boolean)) {
    if (!core.includes(name)) loggers[name] = new ExtensionLogger(name, manager, managerLog);
  }
  return loggers;
}

/** Waits until some extension registered `item` in `registry`; throws after `timeoutMs`. */
async function waitForExtensionPlugin(manager: ExtensionManager, registry: string, item: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!manager.owner(registry, item)) {
    if (Date.now() >= deadline) throw new Error(`no extension registered the ${registry} plugin ${item} within ${timeoutMs / 1000} s (--extensions_timeout)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export class DaemonExtensions {
  private readonly listingCaller = new SyncExtensionCaller();

  private constructor(
    readonly manager: ExtensionManager,
    private readonly server: ManagerServer,
    private readonly launcher: ExtensionLauncher,
    private readonly defaultIndex: boolean,
  ) {}

  /** Starts the manager (undefined with --disable_extensions); throws when the socket cannot be used. */
  static async start(options: DaemonExtensionsOptions): Promise<DaemonExtensions | undefined> {
    const { flags, log, pool } = options;
    if (flags.bool('disable_extensions')) return undefined;
    const managerLog: ManagerLog = { info: (text) => log.info(text, 'extensions'), warn: (text) => log.warning(text, 'extensions') };
    const timeoutSeconds = extensionSeconds(flags, 'extensions_timeout');
    const intervalSeconds = extensionSeconds(flags, 'extensions_interval');
    const manager = new ExtensionManager({
      socketPath: flags.string('extensions_socket'),
      options: () => flagOptions(flags),
      query: async (sql) => {
        const result = await pool.run({ sql, consumer: 'extensions', peek: true });
        result.discard();
        return { columns: result.columns, rows: textRows(result.columns, result.rows) };
      },
      columns: async (sql) => {
        const result = await pool.run({ sql: `SELECT * FROM (${sql.replace(/;\s*$/, '')}) LIMIT 0`, consumer: 'extensions', peek: true });
        result.discard();
        return result.columns;
      },
      reservedTableNames: options.reservedTableNames,
      corePlugins: { config: ['filesystem', 'tls'], logger: [...options.coreLoggers] },
      log: managerLog,
      timeoutMs: timeoutSeconds * 1000,
      intervalMs: intervalSeconds * 1000,
      maxReplyBytes: EXTENSION_MAX_REPLY_BYTES,
    });
    manager.onChange(() => pool.setExtensionTables(manager.tableSpecs()));
    const server = new ManagerServer(manager);
    const required = flags.string('extensions_require').split(',').map((name) => name.trim()).filter(Boolean);
    try {
      await server.listen();
    } catch (error) {
      // As osquery: without the socket quarryd runs on without extensions, unless some are required.
      if (required.length > 0) throw error;
      log.warning(`Extension manager not started: ${(error as Error).message}`, 'extensions');
      return undefined;
    }
    manager.startHealthChecks();
    log.info(`Extension manager listening on ${server.socketPath}`, 'extensions');
    const launcher = new ExtensionLauncher({ socketPath: server.socketPath, timeoutSeconds, intervalSeconds, verbose: flags.bool('verbose'), log: managerLog });
    const extensions = new DaemonExtensions(manager, server, launcher, flags.bool('extensions_default_index'));
    const autoload = flags.string('extensions_autoload');
    if (autoload !== '' && (flags.source('extensions_autoload') !== 'default' || existsSync(autoload))) {
      try {
        launcher.start(readAutoloadFile(autoload));
      } catch (error) {
        log.warning(`${(error as Error).message}; no extension is autoloaded`, 'extensions');
      }
    }
    if (required.length > 0) {
      try {
        await waitForExtensions(required, (name) => manager.byName(name) !== undefined, timeoutSeconds * 1000);
      } catch (error) {
        await extensions.stop();
        throw error;
      }
    }
    return extensions;
  }

  /**
   * The config sources of an extension's config plugin (`call("config", plugin, {action: "genConfig"})`), waiting up
   * to --extensions_timeout for the extension to register. Throws naming what went wrong.
   */
  async genConfig(plugin: string): Promise<Array<{ path: string; raw: string }>> {
    await waitForExtensionPlugin(this.manager, 'config', plugin, this.timeoutMs);
    const answer = await this.manager.call('config', plugin, { action: 'genConfig' });
    if (answer.status.code !== 0) throw new Error(`genConfig failed: ${answer.status.message}`);
    const sources = answer.response.flatMap((row) => Object.entries(row).map(([name, raw]) => ({ path: `${plugin}:${name}`, raw })));
    if (sources.length === 0) throw new Error('genConfig answered no config source');
    return sources;
  }

  private get timeoutMs(): number {
    return this.manager.host.timeoutMs;
  }

  get socketPath(): string {
    return this.server.socketPath;
  }

  /** The extension tables as table definitions (for listings such as GET /v1/tables; queries run in the workers). */
  tableDefinitions(): TableDefinition[] {
    const limits = { timeoutMs: this.timeoutMs, maxReplyBytes: EXTENSION_MAX_REPLY_BYTES, defaultIndex: this.defaultIndex };
    return this.manager.tableSpecs().map((spec) => extensionTable(spec, this.listingCaller, limits));
  }

  /** osquery_extensions' rows for the extensions (the core row is the table's own). */
  extensionRows(): ExtensionRow[] {
    return this.manager.extensionRows();
  }

  /** osquery_registry's rows for the extensions' plugins. */
  registryRows(): RegistryRow[] {
    return this.manager.registryRows();
  }

  async stop(): Promise<void> {
    this.manager.stop();
    this.listingCaller.stop();
    await this.launcher.stop();
    await this.server.close();
  }
}
