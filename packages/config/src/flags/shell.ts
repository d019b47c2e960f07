import { defineFlags } from './definition.js';

/** quarryi (osqueryi) flags. osquery's SHELL_FLAGs are marked shellOnly; Quarry-only ones say so. */
export const shellFlags = defineFlags([
  { name: 'csv', type: 'bool', default: false, description: "Set output mode to 'csv'", shellOnly: true },
  { name: 'json', type: 'bool', default: false, description: "Set output mode to 'json'", shellOnly: true },
  { name: 'json_pretty', type: 'bool', default: false, description: "Set output mode to 'json_pretty'", shellOnly: true },
  { name: 'line', type: 'bool', default: false, description: "Set output mode to 'line'", shellOnly: true },
  { name: 'list', type: 'bool', default: false, description: "Set output mode to 'list'", shellOnly: true },
  { name: 'separator', type: 'string', default: '|', description: "Set output field separator, default '|'", shellOnly: true },
  { name: 'header', type: 'bool', default: true, description: 'Toggle column headers true/false', shellOnly: true },
  { name: 'pack', type: 'string', default: '', description: 'Run all queries in a pack', shellOnly: true },
  { name: 'A', type: 'string', default: '', description: 'Select all from a table', shellOnly: true },
  { name: 'L', type: 'bool', default: false, description: 'List all table names', shellOnly: true },
  { name: 'connect', type: 'string', default: '',
    description: 'Quarry: URL of a running quarryd HTTP endpoint to send queries to (osquery: an extension socket)', shellOnly: true },
  { name: 'token_file', type: 'string', default: '',
    description: 'Quarry-only: file holding the bearer token used with --connect', shellOnly: true },
  { name: 'consumer', type: 'string', default: 'shell',
    description: 'Quarry-only: consumer name this shell uses to drain event buffers', shellOnly: true,
    validate: (v) => (/^[A-Za-z0-9_.:-]{1,128}$/.test(String(v)) ? undefined : 'must be 1-128 characters of letters, digits, _ . : -') },
  { name: 'planner', type: 'bool', default: false, description: 'Enable osquery runtime planner output', shellOnly: true },
  { name: 'profile', type: 'int32', default: 0, description: 'Enable profile mode when non-0, set number of iterations', shellOnly: true },
  { name: 'profile_delay', type: 'int32', default: 0, description: 'Sleep a number of seconds before and after the profiling', shellOnly: true, hidden: true },
  { name: 'query', type: 'string', default: '', description: 'Run a single query and exit', shellOnly: true },
  { name: 'query_file', type: 'string', default: '', description: 'Run the SQL in a file and exit', shellOnly: true },
  { name: 'output', type: 'string', default: '', description: "Write query results to a file ('-' for stdout)", shellOnly: true },
]);
