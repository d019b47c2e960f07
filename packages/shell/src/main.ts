/**
 * quarryi's entry point: osqueryi's modes. One-shot (a positional query or dot command, -A, -L, --query,
 * --query_file, or SQL on stdin) runs the engine in this thread and starts no publishers — except SQL on stdin with
 * an explicit --disable_events=false, a scripted session that publishes as the REPL does; interactive runs the
 * engine in a worker thread so Ctrl-C can interrupt a statement. --connect sends everything to quarryd.
 */
import { closeSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { QueryBackend } from './backend.js';
import type { EventsMode } from './event-tables.js';
import { glogLine } from '@quarry/events/glog';
import { invocationOf } from '@quarry/config/invocation';
import { type InputKind, Shell, type ShellOutput } from './session.js';
import { settingsFromFlags } from './settings.js';
import { type PreparedFlags, SetupError, prepareFlags } from './setup.js';

async function version(): Promise<string> {
  const { agentVersion } = await import('@quarry/tables/osquery/version');
  return agentVersion();
}

/** `quarryi`, or `osqueryi` when started under osquery's name. */
const shellName = invocationOf().shell;

function eventsMode(prepared: PreparedFlags): EventsMode {
  const { flags } = prepared;
  // One-shot runs have events forced off (prepareFlags), except a stdin session asked to publish.
  if (!flags.bool('disable_events')) return 'publisher';
  return flags.isDefault('database_path') ? 'off' : 'consumer';
}

async function createBackend(prepared: PreparedFlags, argv: string[], warn: (message: string) => void): Promise<QueryBackend> {
  const { flags } = prepared;
  const consumer = flags.string('consumer');
  const connect = flags.string('connect');
  if (connect !== '') {
    const { RemoteBackend, readToken } = await import('./remote-backend.js');
    return new RemoteBackend(connect, readToken(flags.string('token_file')), consumer);
  }
  if (prepared.oneShot) {
    const { InProcessBackend } = await import('./in-process-backend.js');
    return InProcessBackend.create({
      flags,
      configView: prepared.configView,
      consumer,
      events: eventsMode(prepared),
      warn,
      planner: (line) => process.stderr.write(`osquery planner: ${line}\n`),
    });
  }
  const { WorkerBackend } = await import('./worker-backend.js');
  return WorkerBackend.create({ argv, events: eventsMode(prepared), configView: prepared.configView }, warn);
}

/** Writes to a file descriptor synchronously, so nothing is lost when the process exits right after. */
function fdWriter(fd: number): (text: string) => void {
  return (text: string) => {
    if (text === '') return;
    const buffer = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < buffer.length) {
      try {
        offset += writeSync(fd, buffer, offset);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue;
        if (code === 'EPIPE') process.exit(0);
        throw error;
      }
    }
  };
}

/** Runs quarryi with the given arguments; resolves to the process exit code. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const err = fdWriter(2);
  const warn = (message: string): void => err(glogLine('W', shellName, message));
  let prepared: PreparedFlags;
  try {
    prepared = await prepareFlags(argv);
  } catch (error) {
    // osquery's own wording for config problems ("Error reading config: ..."); "Error: ..." for the rest.
    const message = (error as Error).message;
    err(error instanceof SetupError && error.cause === 'config' ? `${message}\n` : `Error: ${message}\n`);
    return 1;
  }
  const { flags } = prepared;
  if (prepared.help) {
    const { usageText } = await import('@quarry/config/usage');
    fdWriter(1)(usageText(flags, { binary: shellName, version: await version(), mode: 'shell' }));
    return 0;
  }
  if (prepared.version) {
    fdWriter(1)(`${shellName} version ${await version()}\n`);
    return 0;
  }
  if (flags.bool('config_check') || flags.bool('config_dump')) return runConfigChecks(prepared, err, warn);
  for (const message of prepared.warnings) warn(message);

  let outFd = 1;
  const outputPath = flags.string('output');
  if (outputPath !== '' && outputPath !== '-') {
    try {
      outFd = openSync(outputPath, 'w', 0o600);
    } catch {
      err(`Error: Cannot open output file '${outputPath}'\n`);
      return 1;
    }
  }
  const io: ShellOutput = { out: fdWriter(outFd), err };

  let backend: QueryBackend;
  try {
    backend = await createBackend(prepared, argv, warn);
  } catch (error) {
    err(`Error: ${(error as Error).message}\n`);
    return 1;
  }
  let extensions: { stop(): Promise<void> } | undefined;
  if (flags.string('connect') === '') {
    const { shellWantsExtensions, startShellExtensions } = await import('./shell-extensions.js');
    if (shellWantsExtensions(flags)) {
      try {
        extensions = await startShellExtensions(flags, backend, warn);
      } catch (error) {
        err(`Error: ${(error as Error).message}\n`);
        await backend.close();
        return 1;
      }
    }
  }
  const settings = settingsFromFlags({
    csv: flags.bool('csv'),
    json: flags.bool('json'),
    json_pretty: flags.bool('json_pretty'),
    line: flags.bool('line'),
    list: flags.bool('list'),
    header: flags.bool('header'),
    separator: flags.string('separator'),
    nullvalue: flags.string('nullvalue'),
  });
  const mode = eventsMode(prepared);
  const { shellDatabasePath } = await import('./event-tables.js');
  const shell = new Shell(backend, settings, io, {
    version: await version(),
    flagfile: prepared.flagfiles.join(', '),
    database: flags.string('connect') !== '' ? `remote (${flags.string('connect')})` : mode === 'off' ? 'ephemeral' : `lmdb (${shellDatabasePath(flags)})`,
    output: outFd === 1 ? 'stdout' : outputPath,
  });
  try {
    if (prepared.oneShot) return await runOneShot(shell, prepared, io);
    const { runRepl } = await import('./repl.js');
    // The event side (publishers, the audit configuration) lives in the engine thread, and only this thread sees
    // signals: close it before leaving, so rows in flight are stored and the kernel is put back in-process.
    // As osquery: SIGTERM ends gracefully with 0, SIGHUP (the terminal went away) with 128 + 1.
    const leaveOnSignal = (signal: NodeJS.Signals): void => {
      void Promise.resolve(extensions?.stop())
        .then(() => backend.close())
        .finally(() => process.exit(signal === 'SIGTERM' ? 0 : 129));
    };
    process.once('SIGTERM', leaveOnSignal);
    process.once('SIGHUP', leaveOnSignal);
    const term = process.env.TERM ?? '';
    return await runRepl({ shell, color: term.includes('xterm-256color'), banner: process.stdin.isTTY === true, prompt: invocationOf().brand === 'osquery' ? 'osquery> ' : 'quarry> ' });
  } finally {
    await extensions?.stop();
    await backend.close();
    if (outFd !== 1) closeSync(outFd);
  }
}

/** --config_check / --config_dump: @quarry/config's check; the dump on stdout, errors and warnings on stderr. */
async function runConfigChecks(prepared: PreparedFlags, err: (text: string) => void, warn: (message: string) => void): Promise<number> {
  const { runConfigCheck } = await import('@quarry/config/cli-checks');
  const result = runConfigCheck(prepared.flags);
  for (const message of result.warnings) warn(message);
  const text = result.output;
  if (result.stream === 'stdout') fdWriter(1)(text);
  else err(text.endsWith('\n') || text === '' ? text : text + '\n');
  return result.exitCode;
}

/** osqueryi's one-shot precedence: -L, -A, --pack, --query, --query_file, the positional argument, stdin. */
async function runOneShot(shell: Shell, prepared: PreparedFlags, io: ShellOutput): Promise<number> {
  const { flags } = prepared;
  const metaCode = async (line: string, kind: InputKind): Promise<number> => {
    const outcome = await shell.runMeta(line, kind);
    if (outcome.kind === 'exit') return outcome.code;
    // `.all` (and -A) fails with SQLite's code (19 for a missing required column), as a positional query does.
    return outcome.kind === 'error' ? (outcome.code ?? 1) : 0;
  };
  if (flags.bool('L')) return metaCode('.tables', 'argument');
  if (flags.string('A') !== '') return metaCode(`.all ${flags.string('A')}`, 'argument');
  if (flags.string('pack') !== '') return runPack(shell, prepared, io);
  if (flags.string('query') !== '') return runArgument(shell, flags.string('query'), flags.number('profile'), metaCode, flags.number('profile_delay'));
  if (flags.string('query_file') !== '') {
    const path = flags.string('query_file');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      io.err(`Error reading query file '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
      return 1;
    }
    return runLines(shell, text, 'stdin');
  }
  if (prepared.positional.length > 0) {
    return runArgument(shell, prepared.positional[0] as string, flags.number('profile'), metaCode, flags.number('profile_delay'));
  }
  const stdin = await readStdin();
  if (flags.number('profile') > 0) {
    return runArgument(shell, stdin.split('\n')[0] ?? '', flags.number('profile'), metaCode, flags.number('profile_delay'));
  }
  return runLines(shell, stdin, 'stdin');
}

/** All of stdin: read at once from a pipe or file; from a terminal (--profile N typed there) up to Ctrl-D. */
/**
 * All of stdin. A regular file (`quarryi < queries.sql`) is read at once; a pipe or terminal through the stream, which
 * waits for data: a pipe may be non-blocking (O_NONBLOCK belongs to the pipe, so the writer's side or Node itself
 * may have set it), and then a plain read fails with EAGAIN while the writer has not written yet.
 */
async function readStdin(): Promise<string> {
  if (fstatSync(0).isFile()) return readFileSync(0, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

async function runArgument(
  shell: Shell,
  text: string,
  profile: number,
  metaCode: (line: string, kind: InputKind) => Promise<number>,
  profileDelaySeconds = 0,
): Promise<number> {
  if (text.trimStart().startsWith('.')) {
    const code = await metaCode(text.trimStart(), 'argument');
    return code;
  }
  if (profile > 0) {
    // --profile N: run the query N times and print nothing (osqueryi's profiling mode).
    // --profile_delay S sleeps S seconds before and after the runs (to separate them from start-up in a profiler).
    const silent = new Shell(shell.queryBackend, { ...shell.settings }, { out: () => {}, err: () => {} }, { version: '', flagfile: '' });
    const pause = () => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, profileDelaySeconds) * 1000));
    if (profileDelaySeconds > 0) await pause();
    for (let i = 0; i < profile; i++) {
      const code = await silent.runSql(text, 'argument', 1, true);
      if (code !== 0) return code;
    }
    if (profileDelaySeconds > 0) await pause();
    return 0;
  }
  return shell.runSql(text, 'argument', 1, true);
}

/** stdin / --query_file: line by line, `Error: near line N:` on failures, exit 1 when anything failed. */
async function runLines(shell: Shell, text: string, kind: InputKind): Promise<number> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let index = 0; index < lines.length; index++) {
    const outcome = await shell.feedLine(lines[index] as string, kind, index + 1);
    if (outcome?.kind === 'exit') return outcome.code !== 0 ? outcome.code : shell.errors > 0 ? 1 : 0;
    if (shell.settings.bail && shell.errors > 0) return 1;
  }
  await shell.flushPending(kind);
  return shell.errors > 0 ? 1 : 0;
}

/** --pack NAME: every query of the pack from the loaded config, in order. */
async function runPack(shell: Shell, prepared: PreparedFlags, io: ShellOutput): Promise<number> {
  const name = prepared.flags.string('pack');
  const pack = prepared.configView?.config?.packs[name];
  if (!pack) {
    io.err(`Error: No pack named ${name} in the config (--config_path ${prepared.flags.string('config_path')})\n`);
    return 1;
  }
  let failed = 0;
  for (const query of Object.values(pack.queries)) {
    const code = await shell.runSql(query.query, 'argument', 1, true);
    if (code !== 0) failed = code;
  }
  return failed;
}
