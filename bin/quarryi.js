#!/usr/bin/env node
// quarryi: Quarry's osqueryi-compatible shell. The code lives in @quarry/shell (packages/shell, built to dist/).
import { main } from '@quarry/shell/main';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`Error: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
