/** The OpenAPI 3.1 description served at GET /v1/openapi.json. */
export function openApiDocument(version: string): object {
  const error = { $ref: '#/components/schemas/Error' };
  const described: Record<number, string> = {
    409: 'another query or stream is draining the same consumer of this event table right now; nothing was read: retry when it has finished, or use another consumer name',
  };
  const errors = (...codes: number[]) =>
    Object.fromEntries(codes.map((code) => [String(code), { description: described[code] ?? String(code), content: { 'application/json': { schema: error } } }]));
  return {
    openapi: '3.1.0',
    info: { title: 'quarryd HTTP API', version, description: 'Read-only SQL, event buffer drains, live event streams and metrics of a Quarry agent.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The token in --http_token_file' } },
      schemas: {
        Error: { type: 'object', properties: { error: { type: 'string' }, code: { type: 'integer' } }, required: ['error'] },
        Column: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' } } },
        QueryResult: {
          type: 'object',
          properties: { columns: { type: 'array', items: { $ref: '#/components/schemas/Column' } }, rows: { type: 'array', items: { type: 'object' } }, warnings: { type: 'array', items: { type: 'string' } } },
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/healthz': { get: { security: [], summary: 'Liveness (no token)', responses: { '200': { description: 'ok' } } } },
      '/v1/query': {
        post: {
          summary: 'Run read-only SQL',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', required: ['sql'], properties: { sql: { type: 'string' }, consumer: { type: 'string' }, peek: { type: 'boolean' } } } } },
          },
          responses: { '200': { description: 'rows of the last statement', content: { 'application/json': { schema: { $ref: '#/components/schemas/QueryResult' } } } }, ...errors(400, 401, 409, 413, 429, 503, 504) },
        },
      },
      '/v1/tables': { get: { summary: 'Every table with its columns', responses: { '200': { description: 'tables' }, ...errors(401, 429) } } },
      '/v1/tables/{name}': {
        get: { summary: "A table's columns and osquery .schema line", parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'schema' }, ...errors(401, 404, 429) } },
      },
      '/v1/events/{table}': {
        get: {
          summary: 'Drain (or peek) an event buffer for a consumer',
          parameters: [
            { name: 'table', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'consumer', in: 'query', schema: { type: 'string', default: 'http' } },
            { name: 'peek', in: 'query', schema: { type: 'boolean', default: false } },
          ],
          responses: { '200': { description: 'rows', content: { 'application/json': { schema: { $ref: '#/components/schemas/QueryResult' } } } }, ...errors(400, 401, 404, 409, 429, 503, 504) },
        },
      },
      '/v1/events/{table}/stream': {
        get: {
          summary: 'Server-Sent Events: each new row as `id: eid`, `data: row JSON`; resume with Last-Event-ID',
          parameters: [
            { name: 'table', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'consumer', in: 'query', schema: { type: 'string' } },
            { name: 'where', in: 'query', schema: { type: 'string' }, description: 'SQL expression over the table columns' },
            { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'text/event-stream' }, ...errors(400, 401, 404, 409, 429) },
        },
      },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text/plain; version=0.0.4' } } } },
      '/v1/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI' } } } },
    },
  };
}
