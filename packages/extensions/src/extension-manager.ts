/**
 * osquery's ExtensionManager: the registered extensions and their plugins, and the answers to every method of the
 * service. The socket side is manager-server.ts; the engines learn about extension tables from `tableSpecs()` and
 * the `change` listeners. A registration that is refused changes nothing.
 */
import { randomInt } from 'node:crypto';
import { callExtension, pingExtension } from './extension-client.js';
import type { ExtensionTableSpec } from './extension-table.js';
import { ExchangeError } from './socket-exchange.js';
import { columnRoutes, RouteError, tableColumns } from './table-routes.js';
import {
  EXT_FAILED,
  EXT_SUCCESS,
  type ExtensionInfo,
  type ExtensionRegistry,
  type ExtensionResponse,
  type ExtensionStatus,
  type OptionInfo,
  type PluginRequest,
} from './wire-types.js';

/** A query's answer as the manager hands it out: every value already text (NULL as ''). */
export interface TextQueryResult {
  readonly columns: ReadonlyArray<{ name: string; type: string }>;
  readonly rows: Record<string, string>[];
}

export interface ManagerLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface ManagerHost {
  /** --extensions_socket. */
  readonly socketPath: string;
  /** Every flag: value, default and type. */
  options(): Record<string, OptionInfo>;
  /** Runs SQL on one of Quarry's engines; rejects with the SQLite message. */
  query(sql: string): Promise<TextQueryResult>;
  /** The result columns' declared types, without running the statement. */
  columns(sql: string): Promise<ReadonlyArray<{ name: string; type: string }>>;
  /** Names (lower case) of Quarry's own tables and views: an extension may not take them. */
  reservedTableNames(): ReadonlySet<string>;
  /** Plugin names of Quarry's own config and logger plugins. */
  readonly corePlugins: Readonly<Record<string, readonly string[]>>;
  readonly log: ManagerLog;
  /** --extensions_timeout (ms): bound on a call to an extension. */
  readonly timeoutMs: number;
  /** --extensions_interval (ms): how often each extension is pinged. */
  readonly intervalMs: number;
  /** Most bytes an extension's answer may have. */
  readonly maxReplyBytes: number;
}

export interface RegisteredExtension {
  readonly uuid: number;
  readonly info: ExtensionInfo;
  /** The extension's own socket. */
  readonly path: string;
  readonly registry: ExtensionRegistry;
  readonly tables: readonly ExtensionTableSpec[];
  readonly registeredAt: number;
}

/** Registries an extension may add plugins to. */
const SUPPORTED_REGISTRIES = ['table', 'config', 'logger'];
/** osquery's other registries: known, but Quarry does not take extension plugins for them. */
const UNSUPPORTED_REGISTRIES = ['distributed', 'enroll', 'killswitch', 'numeric_monitoring', 'database', 'sql', 'config_parser', 'event_publisher', 'event_subscriber'];
const MIN_SDK = [1, 7, 7];
/** Consecutive unanswered pings (timeouts) after which an extension counts as dead; a gone socket counts at once. */
const PING_STRIKES = 2;

function ok(message = 'OK', uuid = 0): ExtensionStatus {
  return { code: EXT_SUCCESS, message, uuid };
}
function failed(message: string, uuid = 0): ExtensionStatus {
  return { code: EXT_FAILED, message, uuid };
}

function versionBelow(version: string, minimum: readonly number[]): boolean {
  const parts = version.split('.').map((part) => Number.parseInt(part, 10));
  if (parts.some((part) => !Number.isFinite(part))) return false;
  for (let i = 0; i < minimum.length; i++) {
    const part = parts[i] ?? 0;
    if (part !== minimum[i]) return part < minimum[i]!;
  }
  return false;
}

export class ExtensionManager {
  private readonly extensionsByUuid = new Map<number, RegisteredExtension>();
  private readonly listeners = new Set<() => void>();
  private readonly strikes = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private version = 0;

  constructor(readonly host: ManagerHost) {}

  /** Starts pinging extensions every --extensions_interval. */
  startHealthChecks(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.checkHealth(), this.host.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Called after every registration change. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Grows by one with every registration change. */
  get changeVersion(): number {
    return this.version;
  }

  list(): RegisteredExtension[] {
    return [...this.extensionsByUuid.values()];
  }

  byName(name: string): RegisteredExtension | undefined {
    return this.list().find((extension) => extension.info.name === name);
  }

  /** osquery_extensions' rows for the registered extensions (the core row is the table's own). */
  extensionRows(): Array<{ uuid: number; name: string; version: string; sdk_version: string; path: string; type: string }> {
    return this.list().map((e) => ({ uuid: e.uuid, name: e.info.name, version: e.info.version, sdk_version: e.info.sdk_version, path: e.path, type: 'extension' }));
  }

  /** osquery_registry's rows for the extensions' plugins. */
  registryRows(): Array<{ registry: string; name: string; owner_uuid: number; internal: number; active: number }> {
    return this.list().flatMap((e) =>
      Object.entries(e.registry).flatMap(([registry, items]) => Object.keys(items).map((name) => ({ registry, name, owner_uuid: e.uuid, internal: 0, active: 1 }))),
    );
  }

  tableSpecs(): ExtensionTableSpec[] {
    return this.list().flatMap((extension) => extension.tables);
  }

  /** The extension that registered `item` in `registry`. */
  owner(registry: string, item: string): RegisteredExtension | undefined {
    return this.list().find((extension) => extension.registry[registry]?.[item] !== undefined);
  }

  // ---- the service ----

  ping(): ExtensionStatus {
    return ok('pong');
  }

  extensions(): Map<number, ExtensionInfo> {
    return new Map(this.list().map((extension) => [extension.uuid, extension.info]));
  }

  options(): Record<string, OptionInfo> {
    return this.host.options();
  }

  registerExtension(info: ExtensionInfo, registry: ExtensionRegistry): ExtensionStatus {
    const refuse = (message: string): ExtensionStatus => {
      this.host.log.warn(`Refused extension registration of '${info.name}': ${message}`);
      return failed(message);
    };
    if (info.name.trim() === '') return refuse('Extension name is empty');
    if (this.byName(info.name)) return refuse('Duplicate extension registered');
    if (info.sdk_version !== '' && versionBelow(info.sdk_version, MIN_SDK)) return refuse('Incompatible extension SDK version');
    const uuid = this.newUuid();
    const path = `${this.host.socketPath}.${uuid}`;
    const tables: ExtensionTableSpec[] = [];
    const reserved = this.host.reservedTableNames();
    const claimed = new Set(this.tableSpecs().map((spec) => spec.name.toLowerCase()));
    for (const [name, items] of Object.entries(registry)) {
      if (UNSUPPORTED_REGISTRIES.includes(name)) return refuse(`Failed adding registry: Quarry does not take extension plugins for the ${name} registry`);
      if (!SUPPORTED_REGISTRIES.includes(name)) return refuse(`Failed adding registry: Unknown registry: ${name}`);
      for (const [item, routes] of Object.entries(items)) {
        const conflict = `Failed adding registry: Registry item ${item} conflicts with another item of the same name.`;
        if (name === 'table') {
          if (reserved.has(item.toLowerCase()) || claimed.has(item.toLowerCase())) return refuse(conflict);
          try {
            tables.push({ name: item, columns: tableColumns(item, routes), socketPath: path, extension: info.name, uuid });
          } catch (error) {
            if (error instanceof RouteError) return refuse(`Failed adding registry: ${error.message}`);
            throw error;
          }
          claimed.add(item.toLowerCase());
        } else if ((this.host.corePlugins[name] ?? []).includes(item) || this.owner(name, item)) {
          return refuse(conflict);
        } else if (item.trim() === '' || item.includes(',')) {
          return refuse(`Failed adding registry: '${item}' is not a valid ${name} plugin name`);
        }
      }
    }
    this.extensionsByUuid.set(uuid, { uuid, info, path, registry, tables, registeredAt: Math.floor(Date.now() / 1000) });
    const plugins = Object.entries(registry).flatMap(([name, items]) => Object.keys(items).map((item) => `${name}:${item}`));
    this.host.log.info(`Extension ${info.name} ${info.version} registered (uuid ${uuid}, sdk ${info.sdk_version || 'unknown'}): ${plugins.join(', ') || 'no plugins'}`);
    this.changed();
    return ok('OK', uuid);
  }

  deregisterExtension(uuid: number): ExtensionStatus {
    const extension = this.extensionsByUuid.get(uuid);
    if (!extension) return failed('No extension UUID found');
    this.remove(extension, 'deregistered');
    return ok();
  }

  async query(sql: string): Promise<ExtensionResponse> {
    try {
      const result = await this.host.query(sql);
      return { status: ok(), response: result.rows };
    } catch (error) {
      return { status: failed((error as Error).message ?? String(error)), response: [] };
    }
  }

  async getQueryColumns(sql: string): Promise<ExtensionResponse> {
    try {
      const columns = await this.host.columns(sql);
      return { status: ok(), response: columns.map((column) => ({ [column.name]: column.type })) };
    } catch (error) {
      return { status: failed((error as Error).message ?? String(error)), response: [] };
    }
  }

  /** `call` on the manager: an extension's plugin is called in its extension; Quarry's own tables answer here. */
  async call(registry: string, item: string, request: PluginRequest): Promise<ExtensionResponse> {
    const owner = this.owner(registry, item);
    if (owner) {
      try {
        return await callExtension(owner.path, registry, item, request, { timeoutMs: this.host.timeoutMs, maxReplyBytes: this.host.maxReplyBytes });
      } catch (error) {
        return { status: failed(`Extension ${owner.info.name} did not answer: ${(error as Error).message}`), response: [] };
      }
    }
    if (registry !== 'table') {
      return { status: failed(`Quarry has no ${registry} plugin ${item} that can be called (registries callable here: table, and extensions' plugins)`), response: [] };
    }
    if (!this.host.reservedTableNames().has(item.toLowerCase())) return { status: failed(`Table ${item} does not exist`), response: [] };
    const quoted = `"${item.replace(/"/g, '""')}"`;
    if (request['action'] === 'columns') {
      try {
        return { status: ok(), response: columnRoutes(await this.host.columns(`SELECT * FROM ${quoted}`)) };
      } catch (error) {
        return { status: failed((error as Error).message), response: [] };
      }
    }
    if (request['action'] !== 'generate') return { status: failed('Table plugins must include a request action (generate or columns)'), response: [] };
    return this.query(`SELECT * FROM ${quoted}${this.whereFromContext(request['context'])}`);
  }

  // ---- internals ----

  /** Equality constraints of an osquery JSON context as a WHERE clause (other operators are left to the caller). */
  private whereFromContext(context: string | undefined): string {
    if (!context) return '';
    let parsed: { constraints?: Array<{ name?: unknown; list?: Array<{ op?: unknown; expr?: unknown }> }> };
    try {
      parsed = JSON.parse(context) as typeof parsed;
    } catch {
      return '';
    }
    const terms: string[] = [];
    for (const constraint of parsed.constraints ?? []) {
      if (typeof constraint.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(constraint.name)) continue;
      const values = (constraint.list ?? []).filter((c) => Number(c.op) === 2).map((c) => `'${String(c.expr ?? '').replace(/'/g, "''")}'`);
      if (values.length > 0) terms.push(`"${constraint.name}" IN (${values.join(', ')})`);
    }
    return terms.length > 0 ? ` WHERE ${terms.join(' AND ')}` : '';
  }

  private newUuid(): number {
    for (;;) {
      const uuid = randomInt(1, 65536);
      if (!this.extensionsByUuid.has(uuid)) return uuid;
    }
  }

  private remove(extension: RegisteredExtension, why: string): void {
    if (!this.extensionsByUuid.delete(extension.uuid)) return;
    this.strikes.delete(extension.uuid);
    this.host.log.info(`Extension ${extension.info.name} (uuid ${extension.uuid}) ${why}; its plugins are removed`);
    this.changed();
  }

  private changed(): void {
    this.version += 1;
    for (const listener of this.listeners) listener();
  }

  private async checkHealth(): Promise<void> {
    await Promise.all(
      this.list().map(async (extension) => {
        try {
          const status = await pingExtension(extension.path, { timeoutMs: this.host.timeoutMs, maxReplyBytes: 1 << 16 });
          if (status.code !== EXT_SUCCESS) throw new ExchangeError(`ping answered status ${status.code}: ${status.message}`, 'closed');
          this.strikes.delete(extension.uuid);
        } catch (error) {
          const gone = error instanceof ExchangeError && error.reason === 'unreachable';
          const strikes = (this.strikes.get(extension.uuid) ?? 0) + 1;
          this.strikes.set(extension.uuid, strikes);
          if (gone || strikes >= PING_STRIKES) this.remove(extension, `did not answer ping at ${extension.path} (${(error as Error).message})`);
        }
      }),
    );
  }
}
