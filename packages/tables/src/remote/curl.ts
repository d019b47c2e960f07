/**
 * curl: one HTTP(S) GET per `url` constraint (IN lists fetched concurrently), as osquery's curl table. The body is
 * returned in `result` (decoded as UTF-8, at most MAX_CURL_BODY_BYTES kept). A request that fails still gives its row
 * (url, method, user_agent; the response columns NULL) and a warning that names the URL and the problem.
 */
import { QueryError, type ColumnDefinition, type QueryContext, type Row, type TableDefinition } from '@quarry/sql';
import { runRemoteJobsSync, type HttpGetJob } from './sync-http.js';

/** Most body bytes kept in `result`; a larger body is cut there, with a warning. */
export const MAX_CURL_BODY_BYTES = 16 * 1024 * 1024;
export const DEFAULT_CURL_TIMEOUT_SECONDS = 10;
export const DEFAULT_USER_AGENT = 'osquery';

export const CURL_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'url', type: 'TEXT', required: true, index: true, optimized: true, description: 'The url for the request' },
  { name: 'method', type: 'TEXT', description: 'The HTTP method for the request' },
  { name: 'user_agent', type: 'TEXT', additional: true, description: 'The user-agent string to use for the request' },
  { name: 'response_code', type: 'INTEGER', description: 'The HTTP status code for the response' },
  { name: 'round_trip_time', type: 'BIGINT', description: 'Time taken to complete the request' },
  { name: 'bytes', type: 'BIGINT', description: 'Number of bytes in the response' },
  { name: 'result', type: 'TEXT', description: 'The HTTP response body' },
];

export interface CurlDeps {
  /** Bound on each request (default 10 s); osquery has no flag for it. */
  readonly timeoutSeconds?: number;
}

/** The user_agent as queried (the column's value, so SQLite's own check keeps the row) and as sent. */
function userAgentOf(context: QueryContext): { column: string; header: string } {
  const agents = [...new Set(context.equals('user_agent').map((value) => String(value)))];
  if (agents.length > 1) throw new QueryError(`curl: can only accept a single user_agent (got ${agents.length}); query one user_agent at a time`);
  const column = agents[0] ?? DEFAULT_USER_AGENT;
  // CR and LF would end the header line early: removed from what is sent, as osquery does.
  return { column, header: column.replace(/[\r\n]/g, '') };
}

function* fetchAll(deps: CurlDeps, context: QueryContext): Generator<Row> {
  const urls = [...new Set(context.equals('url').filter((value) => value !== null).map((value) => String(value)))];
  if (urls.length === 0) return;
  const userAgent = userAgentOf(context);
  const timeoutMs = Math.round((deps.timeoutSeconds ?? DEFAULT_CURL_TIMEOUT_SECONDS) * 1000);
  const jobs = urls.map((url): HttpGetJob => ({
    kind: 'http-get',
    url,
    timeoutMs,
    maxBytes: MAX_CURL_BODY_BYTES,
    overflow: 'truncate',
    headers: { 'user-agent': userAgent.header, 'accept-encoding': 'identity' },
  }));
  const results = runRemoteJobsSync(jobs);
  for (let index = 0; index < urls.length; index++) {
    const url = urls[index]!;
    const result = results[index]!;
    const row: Row = { url, method: 'GET', user_agent: userAgent.column };
    if (!result.ok) {
      context.session.warn(`curl: request to ${url} failed: ${result.error}`);
      yield row;
      continue;
    }
    if (result.truncated) context.session.warn(`curl: the response of ${url} is larger than ${MAX_CURL_BODY_BYTES} bytes; result holds the first ${MAX_CURL_BODY_BYTES}`);
    row['response_code'] = result.status;
    row['round_trip_time'] = result.roundTripMicros;
    row['bytes'] = result.body.byteLength;
    row['result'] = Buffer.from(result.body).toString('utf8');
    yield row;
  }
}

export function curlTable(deps: CurlDeps = {}): TableDefinition {
  return {
    name: 'curl',
    description: 'Perform an http request and return stats about it.',
    columns: CURL_COLUMNS,
    generate: (context) => fetchAll(deps, context),
  };
}
