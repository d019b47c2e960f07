import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryError } from '@quarry/sql';

test('the workspace packages build and resolve by name', () => {
  const error = new QueryError('Table file was queried without a required column in the WHERE clause', 19);
  assert.equal(error.code, 19);
});
