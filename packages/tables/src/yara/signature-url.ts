/**
 * sigurl: rules fetched over HTTPS, only from URLs the config's `yara.signature_urls` allows. As osquery, a URL is
 * allowed when an entry has the same scheme and host (with port) and the URL's path fully matches the entry's path
 * read as a regular expression. Table generators are synchronous, so the fetch runs through remote/sync-http.ts (a
 * short-lived worker thread while the query thread waits on an Atomics cell).
 */
import { httpGetSync } from '../remote/sync-http.js';

/** Largest rule file accepted over the network. */
export const MAX_SIGNATURE_BYTES = 8 * 1024 * 1024;

export interface FetchRequest {
  url: string;
  timeoutMs: number;
  maxBytes: number;
  /** Extra CA certificates (PEM) to trust, e.g. osquery's --tls_server_certs. */
  ca?: string;
}

/** Returns undefined when allowed, else the reason (for the user's error message). */
export function sigurlRefusal(url: string, allowList: readonly string[]): string | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return `sigurl '${url}' is not a valid URL`;
  }
  if (target.protocol !== 'https:') return `sigurl '${url}' must use https://`;
  for (const entry of allowList) {
    // Not new URL(entry): it would turn the regex's backslashes into '/'.
    const parts = /^([a-z][a-z0-9+.-]*):\/\/([^/]+)(\/.*)?$/i.exec(entry);
    if (!parts) continue;
    let host: string;
    try {
      host = new URL(`${parts[1]!.toLowerCase()}://${parts[2]!}/`).host;
    } catch {
      continue;
    }
    if (`${parts[1]!.toLowerCase()}:` !== target.protocol || host !== target.host) continue;
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${parts[3] ?? '/'})$`);
    } catch {
      continue;
    }
    if (pattern.test(decodeURI(target.pathname))) return undefined;
  }
  return allowList.length === 0
    ? `sigurl '${url}' is refused: the config has no yara.signature_urls allow-list; add a pattern such as "https://${target.host}/rules/.*\\\\.yar"`
    : `sigurl '${url}' is refused: it matches no entry of yara.signature_urls (${allowList.join(', ')})`;
}

/** Fetches a URL synchronously (see the module comment). Throws an Error naming the URL and the problem. */
export function fetchTextSync(request: FetchRequest): string {
  const reply = httpGetSync({
    url: request.url,
    timeoutMs: request.timeoutMs,
    maxBytes: request.maxBytes,
    overflow: 'fail',
    ...(request.ca ? { ca: request.ca } : {}),
  });
  if (!reply.ok) throw new Error(`fetching ${request.url} failed: ${reply.error}`);
  if (reply.status !== 200) throw new Error(`fetching ${request.url} failed: HTTP status ${reply.status} (expected 200)`);
  return Buffer.from(reply.body).toString('utf8');
}
