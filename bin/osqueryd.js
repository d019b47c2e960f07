#!/usr/bin/env node
// osqueryd: quarryd under osquery's name, for packaging and tools that expect osquery's binaries. The process sees
// this script as argv[1] and uses osquery's names (--version, pidfile and log defaults): @quarry/config/invocation.
import './quarryd.js';
