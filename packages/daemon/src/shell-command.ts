/**
 * The shell command quarryd's start-up banner prints. `npx quarryi` finds the `quarryi` bin entry of the clone's
 * package.json only when run inside the clone, so the command starts with `cd <clone> &&`: pasted anywhere, it runs
 * this clone's quarryi (never a package of that name from the npm registry).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The clone this module runs from (packages/daemon/dist/ → the repository), if its bin/quarryi.js is there. */
function cloneRoot(): string | undefined {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return existsSync(join(root, 'bin', 'quarryi.js')) && existsSync(join(root, 'package.json')) ? root.replace(/\/$/, '') : undefined;
}

/** A path as one shell word: as is when it holds only safe characters, else in single quotes. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** `cd <clone> && npx quarryi --connect URL --token_file=FILE` (without the `cd` when the clone is not found). */
export function shellConnectCommand(url: string, tokenFile: string): string {
  const root = cloneRoot();
  const connect = `npx quarryi --connect ${url} --token_file=${shellWord(tokenFile)}`;
  return root ? `cd ${shellWord(root)} && ${connect}` : connect;
}
