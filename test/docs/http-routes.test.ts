/**
 * docs/http-api.md follows quarryd's OpenAPI document (GET /v1/openapi.json): every route the document declares is
 * in the page's routes table with its method, so a new route cannot stay undocumented.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApiDocument } from '@quarry/daemon/http/openapi';
import { readBookFile } from './markdown.js';

test('every route of the OpenAPI document is in docs/http-api.md', () => {
  const page = readBookFile('docs/http-api.md');
  const document = openApiDocument('0.0.0') as { paths: Record<string, Record<string, unknown>> };
  const missing: string[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const method of Object.keys(methods)) {
      if (!page.includes(`| \`${method.toUpperCase()} ${path}\` |`)) missing.push(`${method.toUpperCase()} ${path}`);
    }
  }
  assert.deepEqual(missing, [], 'add these routes to the table under "## Routes" in docs/http-api.md');
});
