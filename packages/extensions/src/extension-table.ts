/**
 * An extension's table plugin as a table of the engine: each scan calls the extension's
 * `call("table", name, {action: "generate", context})` synchronously and turns the string rows into typed values.
 */
import { QueryError, type ColumnDefinition, type QueryContext, type Row, type SqlValue, type TableDefinition } from '@quarry/sql';
import { decodeCallReply, encodeCall } from './extension-client.js';
import { queryContextJson } from './query-context-json.js';
import { ExchangeError } from './socket-exchange.js';
import type { SyncExtensionCaller } from './sync-extension-call.js';
import { columnDefinitions, type ExtensionColumn } from './table-routes.js';

/** Everything an engine needs to attach one extension table (plain data, sent to worker threads). */
export interface ExtensionTableSpec {
  readonly name: string;
  readonly columns: readonly ExtensionColumn[];
  /** The extension's own socket, `<extensions_socket>.<uuid>`. */
  readonly socketPath: string;
  readonly extension: string;
  readonly uuid: number;
}

export interface ExtensionCallLimits {
  /** Bound on one generate call (quarryd/quarryi pass --query_timeout). */
  readonly timeoutMs: number;
  /** Most bytes one generate answer may have. */
  readonly maxReplyBytes: number;
  /** --extensions_default_index. */
  readonly defaultIndex: boolean;
}

const INTEGER = /^-?\d+$/;

function typed(value: string, type: ColumnDefinition['type']): SqlValue {
  switch (type) {
    case 'INTEGER':
    case 'BIGINT':
    case 'UNSIGNED BIGINT': {
      if (!INTEGER.test(value)) return value === '' ? null : value;
      const number = Number(value);
      return Number.isSafeInteger(number) ? number : BigInt(value);
    }
    case 'DOUBLE': {
      const number = Number(value);
      return value === '' ? null : Number.isFinite(number) ? number : value;
    }
    default:
      return value;
  }
}

export function extensionTable(spec: ExtensionTableSpec, caller: SyncExtensionCaller, limits: ExtensionCallLimits): TableDefinition {
  const columns = columnDefinitions(spec.columns, limits.defaultIndex);
  const types = new Map(columns.map((column) => [column.name, column.type]));
  const describe = `extension ${spec.extension} (uuid ${spec.uuid})`;
  return {
    name: spec.name,
    description: `A table of ${describe}, served over osquery's Thrift extension API.`,
    columns,
    generate(context: QueryContext): Row[] {
      const request = encodeCall('table', spec.name, { action: 'generate', context: queryContextJson(columns, context) });
      let reply: Buffer;
      try {
        reply = caller.call(spec.socketPath, request, limits.timeoutMs, limits.maxReplyBytes);
      } catch (error) {
        const reason = error instanceof ExchangeError ? error.message : String(error);
        throw new QueryError(`Extension table ${spec.name} of ${describe} failed: ${reason}`);
      }
      let response;
      try {
        response = decodeCallReply(reply);
      } catch (error) {
        throw new QueryError(`Extension table ${spec.name} of ${describe} answered malformed data: ${(error as Error).message}`);
      }
      if (response.status.code !== 0) throw new QueryError(response.status.message || `Extension table ${spec.name} failed with status ${response.status.code}`);
      const rows: Row[] = new Array(response.response.length);
      const unknown = new Set<string>();
      for (let i = 0; i < rows.length; i++) {
        const source = response.response[i]!;
        const row: Row = {};
        for (const key in source) {
          const type = types.get(key);
          if (type === undefined) unknown.add(key);
          else row[key] = typed(source[key]!, type);
        }
        rows[i] = row;
      }
      if (unknown.size > 0) {
        context.session.warn(`Extension table ${spec.name} returned columns it did not declare (ignored): ${[...unknown].sort().join(', ')}`);
      }
      return rows;
    },
  };
}
