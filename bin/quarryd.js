#!/usr/bin/env node
// quarryd: Quarry's osqueryd-compatible daemon. The code lives in @quarry/daemon (packages/daemon, built to dist/).
import { main } from '@quarry/daemon/main';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`Error: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
