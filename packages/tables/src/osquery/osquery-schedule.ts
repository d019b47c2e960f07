import type { TableDefinition } from '@quarry/sql';
import type { AgentState } from './agent-state.js';

const STATISTICS = [
  'executions', 'last_executed', 'denylisted', 'output_size', 'wall_time', 'wall_time_ms', 'last_wall_time_ms',
  'user_time', 'last_user_time', 'system_time', 'last_system_time', 'average_memory', 'last_memory',
] as const;

export function osqueryScheduleTable(state: AgentState): TableDefinition {
  return {
    name: 'osquery_schedule',
    description: 'Information about the current queries that are scheduled, with their execution statistics.',
    attributes: { utility: true },
    columns: [
      { name: 'name', type: 'TEXT' },
      { name: 'query', type: 'TEXT' },
      { name: 'interval', type: 'INTEGER' },
      { name: 'executions', type: 'BIGINT' },
      { name: 'last_executed', type: 'BIGINT' },
      { name: 'denylisted', type: 'INTEGER', aliases: ['blacklisted'] },
      { name: 'output_size', type: 'BIGINT' },
      { name: 'wall_time', type: 'BIGINT' },
      { name: 'wall_time_ms', type: 'BIGINT' },
      { name: 'last_wall_time_ms', type: 'BIGINT' },
      { name: 'user_time', type: 'BIGINT' },
      { name: 'last_user_time', type: 'BIGINT' },
      { name: 'system_time', type: 'BIGINT' },
      { name: 'last_system_time', type: 'BIGINT' },
      { name: 'average_memory', type: 'BIGINT' },
      { name: 'last_memory', type: 'BIGINT' },
    ],
    *generate() {
      for (const query of state.schedule()) {
        const row: Record<string, string | number> = { name: query.name, query: query.query, interval: query.interval };
        for (const statistic of STATISTICS) row[statistic] = query[statistic] ?? 0;
        yield row;
      }
    },
  };
}
