#!/usr/bin/env node
// osqueryi: quarryi under osquery's name, for packaging and tools that expect osquery's binaries. The process sees
// this script as argv[1] and uses osquery's names (prompt `osquery> `, --version, defaults): @quarry/config/invocation.
import './quarryi.js';
