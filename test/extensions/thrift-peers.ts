/**
 * Test helper: real Thrift peers that are not Quarry's code: Python programs on Debian's python3-thrift with code
 * Debian's thrift-compiler generates (at test time, into a temp dir) from packages/extensions/osquery.thrift.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../temp-dir.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ENSURE = join(root, 'scripts/ensure-debian-packages.sh');
export const IDL = join(root, 'packages/extensions/osquery.thrift');
export const PYTHON = '/usr/bin/python3';
export const EXTENSION_SCRIPT = join(root, 'test/extensions/fixtures/python_extension.py');
const CLIENT_SCRIPT = join(root, 'test/extensions/fixtures/python_client.py');

let generated: string | undefined;

/** Installs python3-thrift and thrift-compiler when missing and generates the Python code once per run. */
export function pythonPath(): string {
  if (generated) return generated;
  execFileSync('sh', [ENSURE, 'python3-thrift', 'thrift-compiler', '--', 'thrift', '/usr/lib/python3/dist-packages/thrift/__init__.py'], { stdio: 'inherit' });
  const out = tempDir('quarry-thrift-py-');
  execFileSync('thrift', ['--gen', 'py', '-out', out, IDL]);
  generated = out;
  return out;
}

/** Runs python_client.py: one JSON answer per command. */
export function pythonClient(socket: string, commands: unknown[]): unknown[] {
  const out = execFileSync(PYTHON, [CLIENT_SCRIPT, socket, JSON.stringify(commands)], { env: { ...process.env, PYTHONPATH: pythonPath() }, encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out) as unknown[];
}

/** An executable that starts python_extension.py in `mode` with the arguments it is given (an autoload entry). */
export function wrapper(dir: string, mode: string, extra = ''): string {
  const path = join(dir, `ext-${mode}.sh`);
  writeFileSync(path, `#!/bin/sh\necho "$@" >> ${join(dir, `args-${mode}`)}\nPYTHONPATH=${pythonPath()} QUARRY_EXT_MODE=${mode} ${extra} exec ${PYTHON} ${EXTENSION_SCRIPT} "$@"\n`);
  chmodSync(path, 0o700);
  return path;
}

let generatedJs: string | undefined;

/** Node code thrift-compiler generates (js:node) from osquery.thrift, for an extension on the `thrift` package. */
export function nodeGeneratedDir(): string {
  if (generatedJs) return generatedJs;
  pythonPath();
  const out = tempDir('quarry-thrift-js-');
  execFileSync('thrift', ['--gen', 'js:node', '-out', out, IDL]);
  generatedJs = out;
  return out;
}

export interface RunningExtension {
  readonly child: ChildProcess;
  readonly uuid: number;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts python_extension.py in `mode` against the manager socket and waits until it registered. */
export function startPythonExtension(socket: string, mode: string, env: Record<string, string> = {}): Promise<RunningExtension> {
  const child = spawn(PYTHON, [EXTENSION_SCRIPT, '--socket', socket, '--timeout', '5', '--interval', '1'], {
    env: { ...process.env, PYTHONPATH: pythonPath(), QUARRY_EXT_MODE: mode, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return registered(child, mode);
}

/** Starts node_extension.cjs (the `thrift` package + generated js:node code) and waits until it registered. */
export function startNodeExtension(socket: string): Promise<RunningExtension> {
  const child = spawn(process.execPath, [join(root, 'test/extensions/fixtures/node_extension.cjs'), nodeGeneratedDir(), '--socket', socket, '--timeout', '5', '--interval', '1'], {
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return registered(child, 'node');
}

function registered(child: ChildProcess, mode: string): Promise<RunningExtension> {
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`extension ${mode} did not register in 15 s: ${stderr}`)), 15_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const match = /serving as uuid (\d+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve({
          child,
          uuid: Number(match[1]),
          stderr: () => stderr,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`extension ${mode} exited with ${code} before registering: ${stderr}`));
    });
  });
}

/** Polls `probe` every 200 ms until it gives a value; throws naming `what` after `ms`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
