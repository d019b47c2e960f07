import { defineFlags } from './definition.js';

/** YARA tables and yara_events (osquery names and defaults; yara_max_file_size is Quarry-only). */
export const yaraFlags = defineFlags([
  { name: 'yara_delay', type: 'uint32', default: 50,
    description: 'Time in ms to sleep after scan of each file (default 50) to reduce memory spikes' },
  { name: 'yara_sigurl_authenticate', type: 'bool', default: false, description: 'Send the node_key with YARA signature URL requests', noEffect: 'Quarry has no enrollment node_key to send (no TLS remote)' },
  { name: 'enable_yara_string', type: 'bool', default: false, description: 'Return the matched YARA strings in the strings column', hidden: true },
  { name: 'yara_malloc_trim', type: 'bool', default: true, description: 'Deprecated: kept so osquery flagfiles load', hidden: true, noEffect: 'Quarry does not call glibc\'s malloc_trim after YARA scans' },
  { name: 'yara_max_file_size', type: 'uint64', default: 52428800,
    description: 'Quarry-only: files larger than this many bytes are not scanned by yara tables and yara_events (0 = no limit)' },
]);
