/** The VERSION, VERSION_DPKG, VERSION_ARCH and VERSION_RHEL collations (NOCASE, BINARY, RTRIM are SQLite's own). */
import { SQLITE } from '../sqlite-runtime.js';
import type { WasmBridge } from '../wasm-bridge.js';
import { COMPARATORS, type VersionFlavor } from './versions.js';

const COLLATIONS: ReadonlyArray<[string, VersionFlavor]> = [
  ['VERSION', 'GENERIC'],
  ['VERSION_DPKG', 'DPKG'],
  ['VERSION_ARCH', 'ARCH'],
  ['VERSION_RHEL', 'RHEL'],
];

export function installCollations(bridge: WasmBridge, db: number): void {
  for (const [name, flavor] of COLLATIONS) {
    const compare = COMPARATORS[flavor];
    const pointer = bridge.install('i(pipip)', (_arg, leftLength, left, rightLength, right) =>
      compare(bridge.readUtf8(left, leftLength), bridge.readUtf8(right, rightLength)),
    );
    const [namePointer] = bridge.cString(name);
    const rc = bridge.raw.sqlite3_create_collation_v2(db, namePointer, SQLITE.UTF8, 0, pointer, 0);
    bridge.free(namePointer);
    if (rc !== SQLITE.OK) throw new Error(`could not register collation ${name} (SQLite code ${rc})`);
  }
}
