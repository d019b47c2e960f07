/**
 * Where the manager's socket may live: its directory is created private (0700) when missing; an existing one must
 * belong to this user (or root) and not be writable by others unless it has the sticky bit (/tmp), as the database
 * directory is checked. A socket file already there is reused only when nothing answers on it (a stale socket of a
 * manager that died); anything else is refused. Stale `<socket>.<uuid>` extension sockets are removed.
 */
import { lstatSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, dirname, join } from 'node:path';

export class SocketPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SocketPathError';
  }
}

const STICKY = 0o1000;

function checkDirectory(directory: string): void {
  let stat;
  try {
    stat = lstatSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new SocketPathError(`Extensions socket directory ${directory} cannot be inspected: ${(error as Error).message}`);
    try {
      mkdirSync(directory, { recursive: true, mode: 0o700 });
    } catch (mkdirError) {
      throw new SocketPathError(`Extensions socket directory ${directory} cannot be created: ${(mkdirError as Error).message}; choose another --extensions_socket`);
    }
    return;
  }
  if (!stat.isDirectory()) throw new SocketPathError(`Extensions socket directory ${directory} is not a directory; choose another --extensions_socket`);
  const uid = process.geteuid?.() ?? -1;
  if (uid >= 0 && stat.uid !== uid && stat.uid !== 0) {
    throw new SocketPathError(`Extensions socket directory ${directory} belongs to uid ${stat.uid}, not to the user Quarry runs as (uid ${uid}); choose a directory of your own for --extensions_socket`);
  }
  if ((stat.mode & 0o022) !== 0 && (stat.mode & STICKY) === 0) {
    throw new SocketPathError(
      `Extensions socket directory ${directory} is writable by group or others (mode ${(stat.mode & 0o777).toString(8)}) without the sticky bit; make it private (chmod 700 ${directory}) or choose another --extensions_socket`,
    );
  }
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Checks the socket's directory and clears stale sockets; throws SocketPathError when the path cannot be used. */
export async function prepareSocketPath(path: string): Promise<void> {
  if (path === '' || path.length > 100) throw new SocketPathError(`--extensions_socket '${path}' must be a path of 1 to 100 bytes (a UNIX socket address)`);
  const directory = dirname(path);
  checkDirectory(directory);
  try {
    const stat = lstatSync(path);
    if (!stat.isSocket()) throw new SocketPathError(`--extensions_socket ${path} exists and is not a socket; remove it or choose another path`);
    if (await answers(path)) throw new SocketPathError(`Another extension manager is listening on ${path}; stop it or choose another --extensions_socket`);
    unlinkSync(path);
  } catch (error) {
    if (error instanceof SocketPathError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new SocketPathError(`--extensions_socket ${path} cannot be used: ${(error as Error).message}`);
  }
  const prefix = `${basename(path)}.`;
  for (const entry of readdirSync(directory)) {
    if (!entry.startsWith(prefix) || !/^\d+$/.test(entry.slice(prefix.length))) continue;
    const stale = join(directory, entry);
    try {
      if (lstatSync(stale).isSocket() && !(await answers(stale))) unlinkSync(stale);
    } catch {
      // gone meanwhile
    }
  }
}
