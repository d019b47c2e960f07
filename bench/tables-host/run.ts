/**
 * Host-table timings against the system tools doing the same work:
 *   file LIKE '/usr/share/%%'  vs  find /usr/share (no dot-files)
 *   hash of a 40 MiB file      vs  md5sum + sha1sum + sha256sum
 *   deb_packages               vs  dpkg-query -W
 *   system_controls            vs  sysctl -a
 * Run: node --import tsx bench/tables-host/run.ts
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { Engine } from '@quarry/sql';
import { createFilesTables } from '@quarry/tables/files/index';
import { packagesTables } from '@quarry/tables/packages/index';

function timed(run: () => void, repeat = 3): number {
  let best = Infinity;
  for (let i = 0; i < repeat; i += 1) {
    const start = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

const shell = (script: string) => () => {
  spawnSync('sh', ['-c', script], { stdio: 'ignore' });
};

const engine = await Engine.create({ tables: [...createFilesTables(), ...packagesTables] });
const big = `/tmp/quarry-bench-${process.pid}.bin`;
writeFileSync(big, randomBytes(40 * 1024 * 1024));
const cases: Array<[string, () => void, () => void]> = [
  ["file LIKE '/usr/share/%%'", () => engine.query("SELECT count(*) FROM file WHERE path LIKE '/usr/share/%%'"), shell("find /usr/share -not -path '*/.*' -printf '%i %m %s\\n' | wc -l")],
  ['hash 40 MiB', () => engine.query(`SELECT md5, sha1, sha256 FROM hash WHERE path = '${big}'`), shell(`md5sum ${big}; sha1sum ${big}; sha256sum ${big}`)],
  ['deb_packages', () => engine.query('SELECT count(*) FROM deb_packages'), shell("dpkg-query -W -f '${Package} ${Version}\\n'")],
  ['system_controls', () => engine.query('SELECT count(*) FROM system_controls'), shell('sysctl -a')],
];
try {
  for (const [name, ours, peer] of cases) {
    // hash is cached after the first run; time it once, cold.
    const repeat = name.startsWith('hash') ? 1 : 3;
    const quarry = timed(ours, repeat);
    const tool = timed(peer, repeat);
    console.log(`${name.padEnd(28)} quarry ${quarry.toFixed(1).padStart(8)} ms   peer ${tool.toFixed(1).padStart(8)} ms   ratio ${(quarry / tool).toFixed(2)}`);
  }
} finally {
  rmSync(big, { force: true });
  engine.close();
}
