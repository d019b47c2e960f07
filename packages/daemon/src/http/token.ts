/**
 * The bearer token: read from --http_token_file, or created there (32 random bytes, hex, mode 0600, parent dirs
 * 0700) at first start. Compared in constant time (sha256 of both sides, then crypto.timingSafeEqual).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDirectory } from '../store/open-store.js';

export function loadOrCreateToken(path: string): { token: string; created: boolean } {
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length < 16) throw new Error(`--http_token_file ${path} holds a token shorter than 16 characters; delete the file and quarryd creates a new random one`);
    return { token, created: false };
  }
  ensurePrivateDirectory(dirname(path));
  const token = randomBytes(32).toString('hex');
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { token, created: true };
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

export class TokenCheck {
  private readonly expected: Buffer;
  /** The exact header a connection already proved the token with (checked in constant time once per connection). */
  private readonly provenOnConnection = new WeakMap<object, string>();
  constructor(token: string) {
    this.expected = digest(token);
  }
  /**
   * True when the Authorization header carries `Bearer <token>`. With `connection`, a keep-alive connection that
   * already sent the right token and sends the same header again skips the hash: the string compared against is one
   * this connection itself sent, so its timing tells the sender nothing it did not know.
   */
  accepts(header: string | undefined, connection?: object): boolean {
    if (!header) return false;
    if (connection !== undefined && this.provenOnConnection.get(connection) === header) return true;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return false;
    const ok = timingSafeEqual(digest(match[1]!), this.expected);
    if (ok && connection !== undefined) this.provenOnConnection.set(connection, header);
    return ok;
  }
}
