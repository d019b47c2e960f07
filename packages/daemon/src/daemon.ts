/**
 * quarryd: the lifecycle. Parses flags (daemon mode), loads the config, writes the pidfile, opens the event store
 * (publisher role), starts the events runtime, the query worker pool, the scheduler, the result loggers and the
 * HTTP endpoint. SIGTERM/SIGINT stop it cleanly (exit 0); SIGHUP and --config_refresh reload the config.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { applyConfigOptions, KNOWN_CONFIG_PLUGINS, applyConfigSources, ConfigError, Flags, FlagError, invocationOf, loadConfigForFlags, runConfigCheck, scheduledQueries, usageText, type QuarryConfig } from '@quarry/config';
import { createEventRuntime, type EventRuntime, type EventStatus } from '@quarry/events';
import { AUDIT_PUBLISHER_TYPE, AuditPublisher, registerBuiltinPublishers } from '@quarry/publishers';
import { registerBuiltinSubscribers, syslogRingLimits } from '@quarry/subscribers';
import { builtinEventTables } from '@quarry/subscribers/declarations';
import { osqueryEventsTable } from '@quarry/events';
import { agentVersion, allTables, hostUuid, quarryVersion, type AgentState, type RegistryRow } from '@quarry/tables';
import type { TableDefinition } from '@quarry/sql';
import type { YaraFileScanner } from '@quarry/subscribers';
import { quarryBuffersTable, type RingStats } from '@quarry/buffers';
import type { FastifyInstance } from 'fastify';
import { DaemonAgentState } from './daemon-agent-state.js';
import { QueryPool } from './pool/query-pool.js';
import { cpuLimitsFromFlags, intervalBudgetMs } from './pool/cpu-watchdog.js';
import { createResultLoggers, KNOWN_LOGGER_PLUGINS, ResultSink, type ResultLogger } from './results/result-loggers.js';
import { DaemonState } from './scheduler/daemon-state.js';
import { Decorators } from './scheduler/decorators.js';
import { Scheduler } from './scheduler/scheduler.js';
import { createStatusLog, loggerFileMode, type StatusLog } from './status-log.js';
import { rotationPolicyFromFlags } from './results/log-rotation.js';
import { NotifyingStore, openEventStore } from './store/open-store.js';
import { claimPidfile } from './pidfile-owner.js';
import { armTestFault, isWorkerProcess, watchWatcher } from './watcher/worker-role.js';
import { memoryLimitMb } from './watcher/limits.js';
import { Watcher, WORKER_START_FAILED } from './watcher/watcher.js';
import { runDatabaseDump } from './database-dump.js';
import { EventStreamHub } from './http/event-stream.js';
import { DaemonMetrics, type AuditMetricValues } from './http/metrics.js';
import { createHttpServer, HttpConfigError } from './http/server.js';
import { loadOrCreateToken } from './http/token.js';
import { kernelFeaturesNotice } from './kernel-features.js';
import { shellConnectCommand } from './shell-command.js';
import { FleetAgent, fleetWanted } from './fleet/fleet-agent.js';
import { DaemonExtensions, EXTENSION_MAX_REPLY_BYTES, extensionLoggers, extensionSeconds } from './extensions/daemon-extensions.js';

const EMPTY_CONFIG: Pick<QuarryConfig, 'schedule' | 'packs' | 'decorators'> = { schedule: {}, packs: {}, decorators: { load: [], always: [], interval: {} } };

/** How long shutdown waits for a running scheduled query before it stops the query workers. */
const SHUTDOWN_QUERY_WAIT_MS = 2000;

export class Daemon {
  private config: QuarryConfig | undefined;
  private configError = '';
  /** When a config was last loaded and applied (Unix seconds; 0: never): /metrics quarry_config_last_load_success_timestamp_seconds. */
  private configLoadedAt = 0;
  private readonly stops: Array<() => Promise<void> | void> = [];
  /** Config view problems already logged for the current config (every query worker reports the same ones). */
  private readonly viewProblemsLogged = new Set<string>();
  private stopping: Promise<void> | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private readonly ephemeralId = randomUUID();
  runtime!: EventRuntime;
  scheduler!: Scheduler;
  pool!: QueryPool;
  http: FastifyInstance | undefined;
  address = '';
  tokenFile = '';
  private agent!: DaemonAgentState;
  private decorators!: Decorators;
  private store!: NotifyingStore;
  private state!: DaemonState;
  /** osquery's TLS remote API (enroll, tls config/logger, distributed), when any of it is switched on. */
  fleet: FleetAgent | undefined;
  /** osquery's Thrift extension manager, unless --disable_extensions. */
  extensions: DaemonExtensions | undefined;

  private constructor(
    readonly flags: Flags,
    readonly log: StatusLog,
  ) {}

  static async start(flags: Flags, log: StatusLog): Promise<Daemon> {
    const daemon = new Daemon(flags, log);
    try {
      await daemon.boot();
    } catch (error) {
      await daemon.stop().catch(() => undefined);
      throw error;
    }
    return daemon;
  }

  /** Warnings that would repeat at every config refresh (flags with no effect) are logged once per process. */
  private readonly warnedOnce = new Set<string>();
  private warnOnce(message: string): void {
    if (this.warnedOnce.has(message)) return;
    this.warnedOnce.add(message);
    this.log.warning(message, 'config');
  }

  private loadConfig(): boolean {
    const loaded = loadConfigForFlags(this.flags);
    for (const warning of loaded.warnings) this.log.warning(warning, 'config');
    for (const warning of this.flags.noEffectWarnings()) this.warnOnce(warning);
    if (loaded.config) {
      this.config = loaded.config;
      this.configError = '';
      this.configLoadedAt = Date.now() / 1000;
      return true;
    }
    if (loaded.missingDefault) {
      this.log.info(`No config at ${this.flags.string('config_path')}; running without a schedule`, 'config');
      return false;
    }
    this.configError = loaded.error?.message ?? 'config could not be read';
    this.log.error(`Config could not be loaded: ${this.configError}`, 'config');
    return false;
  }

  private hostIdentifier(): string {
    switch (this.flags.string('host_identifier')) {
      case 'uuid':
        return this.agent.hostUuid() || hostname();
      case 'instance':
        return this.agent.instanceId();
      case 'ephemeral':
        return this.ephemeralId;
      case 'specified':
        return this.flags.string('specified_identifier') || hostname();
      default:
        return hostname();
    }
  }

  /** Writes --pidfile (pidfile-owner.ts). A worker leaves it to its watcher, which holds it across restarts. */
  private async writePidfile(): Promise<void> {
    const path = this.flags.string('pidfile');
    if (path === '' || isWorkerProcess()) return;
    this.stops.push(await claimPidfile(path, this.flags.bool('force'), (text) => this.log.warning(text)));
  }

  private async boot(): Promise<void> {
    const { flags, log } = this;
    // --config_plugin=tls: the config arrives from the server once the fleet agent runs (applyRemoteConfig).
    // --config_plugin=<an extension's config plugin>: read once the extension manager runs (loadExtensionConfig).
    if (flags.string('config_plugin') !== 'tls' && !this.extensionConfigPlugin()) this.loadConfig();
    await this.writePidfile();

    const databasePath = resolve(flags.string('database_path'));
    const inner = await openEventStore(databasePath, {
      role: 'publisher',
      expirySeconds: flags.number('events_expiry'),
      maxRows: flags.number('events_max'),
      ringLimits: syslogRingLimits(flags),
      // one warning when appends start failing (disk full, read-only), one line with the count when they work again
      onStorageFault: (fault) => (fault.state === 'failing' ? log.warning(fault.message, 'buffers') : log.info(fault.message, 'buffers')),
    });
    this.store = new NotifyingStore(inner);
    this.stops.push(() => inner.close());
    this.state = new DaemonState((name) => inner.kv(name));

    // Started with an empty config, then configured: a bad file_paths entry is reported (valid parts still
    // applied) instead of keeping every publisher from starting.
    this.runtime = createEventRuntime(flags, {}, this.store, log.eventLogger());
    registerBuiltinPublishers(this.runtime, { flags });
    const yaraScanner = await this.yaraScanner();
    registerBuiltinSubscribers(this.runtime, { flags, ...(yaraScanner ? { yaraScanner } : {}) });
    await this.runtime.start();
    await this.configureEvents();
    const kernelNotice = kernelFeaturesNotice(this.runtime.status(), flags, AUDIT_PUBLISHER_TYPE);
    if (kernelNotice) log.info(kernelNotice, 'events');
    this.stops.push(async () => {
      await this.runtime.stop();
      await inner.flush();
    });

    const disableLogging = flags.bool('disable_logging');
    const loggerMode = loggerFileMode(flags);
    const rotation = rotationPolicyFromFlags({ rotate: flags.bool('logger_rotate'), size: flags.number('logger_rotate_size'), maxFiles: flags.number('logger_rotate_max_files') });
    const syslog = log.syslog
      ? { client: log.syslog, prependCee: flags.bool('logger_syslog_prepend_cee'), warn: (text: string) => log.warning(text, 'syslog') }
      : undefined;
    const fleet = fleetWanted(flags)
      ? new FleetAgent({
          flags,
          log,
          store: inner.store,
          pool: () => this.pool,
          hostIdentifier: () => this.hostIdentifier(),
          applyConfig: (text) => this.applyRemoteConfig(text),
        })
      : undefined;
    this.fleet = fleet;
    const builtLoggers: Record<string, ResultLogger> = fleet?.logger ? { tls: fleet.logger } : {};
    // Other --logger_plugin names are extensions' logger plugins (they register once the manager runs), as in
    // osquery; with --disable_extensions no extension can provide one, so an unknown name stays a start-up error.
    if (!flags.bool('disable_extensions')) Object.assign(builtLoggers, extensionLoggers(flags.string('logger_plugin'), KNOWN_LOGGER_PLUGINS, () => this.extensions?.manager, log));
    const sink = new ResultSink(disableLogging ? [] : createResultLoggers(flags.string('logger_plugin'), resolve(flags.string('logger_path')), loggerMode, rotation, syslog, builtLoggers), {
      onLoggerFailure: (logger, error) =>
        log.error(`The ${logger} logger failed: ${(error as Error)?.message ?? String(error)}; the other loggers keep every result, the ${logger} logger misses them until it works again`, 'logger'),
      onLoggerRecovered: (logger) => log.info(`The ${logger} logger works again`, 'logger'),
    });
    this.stops.push(() => sink.close());

    const eventTables = builtinEventTables(undefined);
    let scheduler: Scheduler | undefined;
    this.agent = new DaemonAgentState({
      flags,
      instanceId: this.state.instanceId(),
      configHash: () => this.config?.hash ?? '',
      configValid: () => this.config !== undefined && this.configError === '',
      schedule: () => scheduler?.rows() ?? [],
      packs: () => scheduler?.packRows() ?? [],
      registry: () => this.registryRows(),
      extensions: () => this.extensions?.extensionRows() ?? [],
      extensionsSocket: () => this.extensions?.socketPath ?? '',
    });

    const workers = Math.max(1, flags.number('worker_threads'));
    const queryTimeout = flags.number('query_timeout');
    this.pool = new QueryPool({
      size: workers,
      init: {
        databasePath,
        openStore: true,
        readMax: flags.number('read_max'),
        disableTables: flags.string('disable_tables'),
        enableTables: flags.string('enable_tables'),
        eventsEnabled: this.runtime.eventsEnabled(),
        queryTimeoutMs: queryTimeout > 0 ? queryTimeout * 1000 : 24 * 3600 * 1000,
        rowCap: 1_000_000,
        regexMaxSize: flags.number('regex_max_size'),
        carverDisableFunction: flags.bool('carver_disable_function'),
        sqliteHeapLimitMb: memoryLimitMb(flags),
        extensionCalls: { timeoutMs: queryTimeout > 0 ? queryTimeout * 1000 : extensionSeconds(flags, 'extensions_timeout') * 1000, maxReplyBytes: EXTENSION_MAX_REPLY_BYTES, defaultIndex: flags.bool('extensions_default_index') },
      },
      queueLimit: workers * 16,
      deadlineMs: queryTimeout > 0 ? queryTimeout * 1000 + 2000 : 0,
      memoryLimitMb: memoryLimitMb(flags),
      onWorkerStopped: (reason) => log.warning(`quarryd query worker stopping: ${reason}`, 'watchdog'),
      onExtensionProblems: (problems) => {
        for (const problem of problems) log.warning(`A query worker could not attach ${problem}`, 'extensions');
      },
      onConfigProblems: (problems) => {
        for (const problem of problems) {
          if (this.viewProblemsLogged.has(problem)) continue;
          this.viewProblemsLogged.add(problem);
          log.warning(problem, 'config');
        }
      },
      ...this.cpuWatchdogOptions(),
      applyCommits: (commits) => {
        let failure: unknown;
        for (const c of commits) {
          try {
            this.store.ring(c.table).commit(c.consumer, c.eid, c.owner);
          } catch (error) {
            failure ??= error; // the other moves (and their leases) still go
          }
        }
        if (failure !== undefined) throw failure;
      },
      releaseDrains: (commits) => {
        for (const c of commits) if (c.owner) this.store.ring(c.table).releaseDrain(c.consumer, c.owner);
      },
      renewDrains: (commits) => {
        for (const c of commits) if (c.owner) this.store.ring(c.table).renewDrain(c.consumer, c.owner);
      },
    });
    this.pool.setAgent(this.agent.snapshot());
    this.sendConfigToWorkers();
    this.pool.setEventStatus(() => [...this.runtime.status(), ...(fleet?.eventStatus() ?? [])]);
    await this.pool.start();
    this.stops.push(() => this.pool.close());

    const runRows = async (sql: string) => {
      const result = await this.pool.run({ sql, consumer: 'decorators', peek: true });
      result.discard();
      return result.rows;
    };
    this.decorators = new Decorators(runRows, log, flags.bool('disable_decorators'));
    const streams = new EventStreamHub(this.store, this.pool);
    const metrics = new DaemonMetrics({
      eventStatus: () => this.runtime.status(),
      ringStats: () => this.ringStats(eventTables),
      pool: () => this.pool.stats(),
      streams: () => ({ clients: streams.count(), delivered: streams.deliveredRows() }),
      audit: () => this.auditMetrics(),
      config: () => ({ valid: this.config !== undefined && this.configError === '', loadedAt: this.configLoadedAt, skippedPacks: this.config?.skippedPacks.length ?? 0 }),
    });
    fleet?.registerMetrics(metrics.registry);

    const watchdogEnabled = !flags.bool('disable_watchdog') && flags.number('watchdog_level') !== -1;
    scheduler = new Scheduler({
      flags,
      pool: this.pool,
      state: this.state,
      sink,
      log,
      decorators: this.decorators,
      hostIdentifier: () => this.hostIdentifier(),
      watchdogEnabled,
      onRun: (outcome) => {
        metrics.scheduledRuns.inc({ query: outcome.name, outcome: outcome.ok ? 'ok' : (outcome.failure ?? 'error') });
        metrics.scheduledDuration.observe({ query: outcome.name }, outcome.wallMs / 1000);
        metrics.queries.inc({ source: 'scheduler', outcome: outcome.ok ? 'ok' : (outcome.failure ?? 'error') });
        this.pool.setAgent(this.agent.snapshot());
      },
      onScheduleChanged: () => this.pool.setAgent(this.agent.snapshot()),
      onTimeout: () => void this.stop().then(() => process.exit(0)),
    });
    this.scheduler = scheduler;
    await this.applySchedule();
    scheduler.start();
    this.stops.push(async () => {
      // A scheduled query still running (no deadline with --query_timeout=0) must not hold shutdown: after a
      // bounded wait the pool is closed, which fails that query ('closed', not denylisted) and ends the loop.
      const stopped = scheduler.stop();
      let timer: NodeJS.Timeout | undefined;
      const waited = await Promise.race([stopped.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), SHUTDOWN_QUERY_WAIT_MS)))]);
      clearTimeout(timer);
      if (!waited) {
        log.warning(`A scheduled query was still running ${SHUTDOWN_QUERY_WAIT_MS} ms after shutdown began; stopping the query workers`, 'scheduler');
        await this.pool.close();
        await stopped;
      }
    });

    if (fleet) {
      fleet.start();
      this.stops.push(() => fleet.close());
    }

    const refresh = flags.number('config_refresh');
    if (refresh > 0 && !fleet?.config) {
      this.reloadTimer = setInterval(() => void this.reload(false), refresh * 1000);
      this.reloadTimer.unref();
    }

    const tokenPath = resolve(flags.string('http_token_file') || join(dirname(databasePath), 'http.token'));
    const { token, created } = loadOrCreateToken(tokenPath);
    this.tokenFile = tokenPath;
    if (created) log.info(`Created the HTTP bearer token in ${tokenPath} (mode 0600)`, 'http');
    const staticTables = allTables({
      agent: this.agent as AgentState,
      config: () => this.config,
      flags,
      readMax: flags.number('read_max'),
      disableTables: flags.string('disable_tables'),
      enableTables: flags.string('enable_tables'),
    });
    const tableList = [...staticTables, ...eventTables, osqueryEventsTable(() => []), quarryBuffersTable(inner.store)];
    const eventNames = new Set(eventTables.map((t) => t.name));
    const reservedTables = new Set(tableList.flatMap((t) => [t.name, ...(t.aliases ?? [])]).map((name) => name.toLowerCase()));
    this.extensions = await DaemonExtensions.start({ flags, log, pool: this.pool, reservedTableNames: () => reservedTables, coreLoggers: KNOWN_LOGGER_PLUGINS });
    if (this.extensions) {
      const extensions = this.extensions;
      extensions.manager.onChange(() => this.pool.setAgent(this.agent.snapshot()));
      this.pool.setAgent(this.agent.snapshot());
      this.stops.push(() => extensions.stop());
    }
    if (this.extensionConfigPlugin()) await this.loadExtensionConfig();
    this.http = await createHttpServer({
      flags,
      token,
      pool: this.pool,
      metrics,
      streams,
      tables: () => [...tableList, ...(this.extensions?.tableDefinitions() ?? [])],
      eventTableNames: () => eventNames,
      ring: (table) => this.store.ring(table),
      version: quarryVersion(),
    });
    const http = this.http;
    this.stops.push(async () => {
      streams.close();
      await http.close();
    });
    this.address = await http.listen({ host: flags.string('http_bind'), port: flags.number('http_port') });
  }

  /** The pool's CPU watchdog options from the --watchdog_* flags (pool/cpu-watchdog.ts). */
  private cpuWatchdogOptions(): Pick<ConstructorParameters<typeof QueryPool>[0], 'cpuLimits' | 'onCpuCheck'> {
    const { flags, log } = this;
    const cpuLimits = cpuLimitsFromFlags({
      disabled: flags.bool('disable_watchdog'),
      level: flags.number('watchdog_level'),
      utilizationLimit: flags.number('watchdog_utilization_limit'),
      latencyLimit: flags.number('watchdog_latency_limit'),
      delaySeconds: flags.number('watchdog_delay'),
    });
    if (!cpuLimits) return {};
    if (!flags.bool('enable_watchdog_debug') || !flags.bool('verbose')) return { cpuLimits };
    const budget = intervalBudgetMs(cpuLimits);
    return {
      cpuLimits,
      onCpuCheck: (c) =>
        log.verboseInfo(
          `watchdog: query worker ${c.worker} (tid ${c.tid}) used ${Math.round(c.cpuMs)} ms CPU in ${Math.round(c.elapsedMs)} ms ` +
            `(limit ${Math.round(c.budgetMs)} ms; ${budget} ms per ${cpuLimits.intervalMs / 1000} s at ${cpuLimits.utilizationPercent}%), ` +
            `${c.runningId === 0 ? 'idle' : `query #${c.runningId}`}, sustained ${c.sustained * (cpuLimits.intervalMs / 1000)} of ${cpuLimits.latencySeconds} s` +
            (c.enforcing ? '' : ' (within --watchdog_delay: not enforced yet)'),
          'watchdog',
        ),
    };
  }

  /** yara_events' scanner (libyara on worker threads); without libyara yara_events reports why and the rest runs. */
  private async yaraScanner(): Promise<YaraFileScanner | undefined> {
    try {
      const yara = await import('@quarry/tables/yara/index');
      const pool = new yara.YaraScanPool({
        workers: 1,
        maxFileSize: this.flags.number('yara_max_file_size'),
        withStrings: this.flags.bool('enable_yara_string'),
      });
      this.stops.push(() => pool.close());
      return pool;
    } catch (error) {
      this.log.warning(`yara_events has no scanner: ${(error as Error).message}`, 'events');
      return undefined;
    }
  }

  /** What the workers' yara tables read: the config and the flag values (posted at start and on reload). */
  /** Hands the current config and flags to the query workers; each config's view problems are logged once. */
  private sendConfigToWorkers(): void {
    this.viewProblemsLogged.clear();
    this.pool.setConfig(this.workerConfig());
  }

  private workerConfig(): { config: unknown; flagValues: Record<string, unknown> } {
    const flagValues: Record<string, unknown> = {};
    for (const definition of this.flags.definitions()) flagValues[definition.name] = this.flags.value(definition.name);
    return { config: this.config ?? {}, flagValues };
  }

  /** /metrics' audit numbers from the audit publisher (undefined when it is not registered). */
  private auditMetrics(): AuditMetricValues | undefined {
    const publisher = this.runtime.publisher(AUDIT_PUBLISHER_TYPE);
    if (!(publisher instanceof AuditPublisher)) return undefined;
    const c = publisher.counters();
    return {
      lost: c.kernelLost + c.serialGapsLost,
      backlog: c.kernelBacklog,
      malformed: c.malformedRecords + c.malformedDatagrams,
      dropped: c.droppedSyscalls,
      overruns: c.readerOverruns,
    };
  }

  private ringStats(tables: TableDefinition[]): RingStats[] {
    const out: RingStats[] = [];
    for (const table of tables) {
      try {
        out.push(this.store.ring(table.name).stats());
      } catch {
        // a ring that cannot report is left out
      }
    }
    return out;
  }

  private registryRows(): RegistryRow[] {
    const rows: RegistryRow[] = [];
    const logging = !this.flags.bool('disable_logging');
    const plugins = new Set(this.flags.string('logger_plugin').split(',').map((s) => s.trim()));
    for (const name of KNOWN_LOGGER_PLUGINS) rows.push({ registry: 'logger', name, owner_uuid: 0, internal: 0, active: logging && plugins.has(name) ? 1 : 0 });
    const configPlugin = this.flags.string('config_plugin');
    for (const name of ['filesystem', 'tls']) rows.push({ registry: 'config', name, owner_uuid: 0, internal: 0, active: name === configPlugin ? 1 : 0 });
    if (!this.flags.bool('disable_distributed')) rows.push({ registry: 'distributed', name: 'tls', owner_uuid: 0, internal: 0, active: 1 });
    rows.push({ registry: 'database', name: 'lmdb', owner_uuid: 0, internal: 0, active: 1 });
    rows.push(...(this.extensions?.registryRows() ?? []));
    let status: EventStatus[] = [];
    try {
      status = this.runtime.status();
    } catch {
      status = [];
    }
    for (const s of status) {
      rows.push({ registry: s.type === 'publisher' ? 'event_publisher' : 'event_subscriber', name: s.name, owner_uuid: 0, internal: 0, active: s.active === 1 ? 1 : 0 });
    }
    return rows;
  }

  private async applySchedule(): Promise<void> {
    const config = this.config;
    const entries = config ? scheduledQueries(config, this.flags, { version: agentVersion() }) : [];
    // flags first: setSchedule hands the workers a new snapshot, which must carry the flags the config's options set
    this.agent.invalidate();
    this.scheduler.setSchedule(entries, config?.packs ?? {});
    await this.decorators.configure((config ?? EMPTY_CONFIG).decorators);
  }

  /**
   * Applies a config fetched by the tls config plugin exactly as a file config (options, schedule, packs, events,
   * decorators...). A config that does not load keeps the last good one; false says so (after logging why).
   */
  async applyRemoteConfig(text: string | Array<{ path: string; raw: string }>, origin = 'the TLS server'): Promise<boolean> {
    let config: QuarryConfig;
    try {
      config = applyConfigSources(typeof text === 'string' ? [{ path: 'tls', raw: text }] : text, { configDir: dirname(resolve(this.flags.string('config_path'))) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.log.error(`The config from ${origin} was not applied: ${error.message}; keeping the last good config`, 'config');
      return false;
    }
    for (const warning of [...config.warnings, ...applyConfigOptions(config, this.flags)]) this.log.warning(warning, 'config');
    const changed = config.hash !== this.config?.hash;
    this.config = config;
    this.configError = '';
    this.configLoadedAt = Date.now() / 1000;
    if (!changed) return true;
    this.log.info(`Config applied from ${origin} (hash ${config.hash})`, 'config');
    await this.applySchedule();
    this.sendConfigToWorkers();
    await this.configureEvents();
    return true;
  }

  /** The extension config plugin --config_plugin names, when it is not one of Quarry's own. */
  private extensionConfigPlugin(): string | undefined {
    const plugin = this.flags.string('config_plugin');
    return KNOWN_CONFIG_PLUGINS.includes(plugin) ? undefined : plugin;
  }

  /** Reads the config from the extension's config plugin (genConfig) and applies it; failures are logged. */
  private async loadExtensionConfig(): Promise<void> {
    const plugin = this.extensionConfigPlugin()!;
    try {
      if (!this.extensions) throw new Error('the extension manager is not running (--disable_extensions, or its socket could not be used)');
      const sources = await this.extensions.genConfig(plugin);
      await this.applyRemoteConfig(sources, `the extension config plugin ${plugin}`);
    } catch (error) {
      this.configError = (error as Error).message;
      this.log.error(`Config could not be loaded from the extension config plugin ${plugin}: ${(error as Error).message}`, 'config');
    }
  }

  /** Re-reads the config; applies it when it changed (or always, on SIGHUP). */
  async reload(force = true): Promise<void> {
    if (this.fleet?.config) {
      await this.fleet.config.refresh();
      return;
    }
    if (this.extensionConfigPlugin()) {
      await this.loadExtensionConfig();
      return;
    }
    const before = this.config?.hash;
    if (!this.loadConfig()) return;
    if (!force && this.config?.hash === before) return;
    this.log.info(`Config ${force ? 'reloaded' : 'changed'}: ${this.flags.string('config_path')}`, 'config');
    await this.applySchedule();
    this.sendConfigToWorkers();
    await this.configureEvents();
  }

  private async configureEvents(): Promise<void> {
    if (!this.runtime.eventsEnabled()) return;
    try {
      await this.runtime.configure((this.config ?? {}) as unknown as Record<string, unknown>);
    } catch (error) {
      this.log.warning(`Events config: ${(error as Error).message}`, 'config');
    }
  }

  /** Stops everything in reverse order of start; safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.reloadTimer);
      for (const step of this.stops.reverse()) {
        const began = Date.now();
        try {
          await step();
          this.log.verboseInfo(`shutdown step ${step.name || 'anonymous'} took ${Date.now() - began} ms`, 'quarryd');
        } catch (error) {
          this.log.error(`Shutdown step failed: ${(error as Error).message}`, 'quarryd');
        }
      }
    })();
    return this.stopping;
  }

  /** Host UUID for callers that print it. */
  static hostUuid(): string {
    return hostUuid();
  }
}

/** `quarryd` entry point: returns the exit code once the daemon stopped (or failed to start). */
export async function main(argv: string[]): Promise<number> {
  const name = invocationOf().daemon;
  let parsed;
  try {
    parsed = Flags.parse(argv, { mode: 'daemon', brand: invocationOf().brand });
  } catch (error) {
    if (error instanceof FlagError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const { flags } = parsed;
  if (parsed.help) {
    process.stdout.write(usageText(flags, { binary: name, version: agentVersion(), mode: 'daemon' }));
    return 0;
  }
  if (parsed.version) {
    process.stdout.write(`${name} version ${agentVersion()}\n`);
    return 0;
  }
  if (flags.bool('database_dump')) return runDatabaseDump(flags);
  if (flags.bool('config_check') || flags.bool('config_dump')) {
    const check = runConfigCheck(flags);
    (check.stream === 'stdout' ? process.stdout : process.stderr).write(check.output);
    return check.exitCode;
  }
  let log: StatusLog;
  try {
    log = createStatusLog(flags);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
  // osqueryd's watcher/worker pair: this process becomes the watcher and runs the agent in a worker process, unless
  // --disable_watchdog (one process) or this is the worker.
  const worker = isWorkerProcess();
  if (!worker && !flags.bool('disable_watchdog')) return new Watcher({ flags, log, argv, name }).run();
  if (worker) {
    // SIGUSR1 is the watcher's "resource limit hit" notice (without a handler Node would open its inspector).
    process.on('SIGUSR1', () => log.warning('The watcher reports a resource limit hit; stopping', 'watchdog'));
    watchWatcher(() => shutdown('the watcher exiting'));
  }
  let daemon: Daemon | undefined;
  let signalled: string | undefined;
  let finish: ((code: number) => void) | undefined;
  const exited = new Promise<number>((resolveExit) => (finish = resolveExit));
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = signal;
    if (!daemon) return; // still starting: stopped right after start
    log.info(`${name} stopping on ${signal}`);
    const alarm = setTimeout(() => {
      log.error(`${name} did not stop within ${flags.number('alarm_timeout')} s; exiting`);
      process.exit(1);
    }, Math.max(10, flags.number('alarm_timeout')) * 1000);
    alarm.unref();
    void daemon.stop().then(() => {
      log.info(`${name} stopped`);
      finish?.(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    if (!daemon) return;
    log.info('SIGHUP: reloading the config');
    void daemon.reload(true);
  });
  try {
    daemon = await Daemon.start(flags, log);
  } catch (error) {
    log.fatal(`${name} could not start: ${(error as Error).message}`);
    return worker ? WORKER_START_FAILED : 1;
  }
  armTestFault();
  if (signalled) {
    const signal = signalled;
    signalled = undefined;
    shutdown(signal);
    return exited;
  }
  const url = daemon.address;
  // The banner is INFO for stderr's purposes: --logger_stderr=false or --logger_min_stderr>0 leave it out.
  if (log.showsOnStderr(0)) process.stderr.write(
    `${name} is running. Bearer token file: ${daemon.tokenFile}\n` +
      `  Query it:  curl -s -H "Authorization: Bearer $(cat ${daemon.tokenFile})" -H 'content-type: application/json' \\\n` +
      `               -d '{"sql":"select * from uptime"}' ${url}/v1/query\n` +
      `  Or:        ${shellConnectCommand(url, daemon.tokenFile)}\n` +
      `  Results:   ${resolve(flags.string('logger_path'))}/osqueryd.results.log\n`,
  );
  log.info(`${name} ${agentVersion()} started (pid ${process.pid}); HTTP endpoint ${url}`);
  return exited;
}
