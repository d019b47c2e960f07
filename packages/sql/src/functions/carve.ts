/**
 * carve(path): osquery's aggregate that collects paths and, at the end of the group, starts a file carve.
 *
 * osquery answers with text cut to 13 characters: with --carver_disable_function=true (the default) every group
 * yields exactly `Carve Failed:` and nothing is carved; NULL paths are ignored. Quarry has no file carver (no
 * carve tables, no TLS carve endpoints), so with --carver_disable_function=false the statement fails with an
 * error saying so instead of pretending a carve started.
 */
import type { SqlAggregate } from './registry.js';

/** What osquery returns when the carver function is disabled ("Carve Failed: function disabled" cut to 13). */
export const CARVE_DISABLED_RESULT = 'Carve Failed:';

export const CARVE_UNAVAILABLE_MESSAGE =
  'carve() cannot start a carve: Quarry has no file carver (osquery carves and the TLS carve endpoints are not ' +
  'implemented). Remove --carver_disable_function=false, or read the files with the file, hash or yara tables';

const carve: SqlAggregate = {
  name: 'carve',
  arity: 1,
  step() {
    // The paths would only matter to a carver; with none, there is nothing to collect.
  },
  final(call) {
    if (!call.host.carverDisableFunction) throw new Error(CARVE_UNAVAILABLE_MESSAGE);
    call.textResult(CARVE_DISABLED_RESULT);
  },
};

export const carveFunctions: readonly SqlAggregate[] = [carve];
