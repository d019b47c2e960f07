/**
 * Version ordering: osquery's generic VERSION comparison and the package-manager flavours DPKG (Debian
 * verrevcmp), RHEL (rpmvercmp with ~ and ^) and ARCH (pacman's vercmp). Used by version_compare() and the
 * VERSION* collations. Every comparator returns -1, 0 or 1.
 */
import { SQLITE } from '../sqlite-runtime.js';
import type { SqlFunction } from './registry.js';

export type VersionFlavor = 'GENERIC' | 'DPKG' | 'RHEL' | 'ARCH';

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlnum = (c: string | undefined) => isDigit(c) || isAlpha(c);
const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Generic: segments of digits or letters (anything else separates); digits compare numerically and beat letters. */
export function compareGeneric(a: string, b: string): number {
  const left = a.match(/\d+|[^\W\d_]+/g) ?? [];
  const right = b.match(/\d+|[^\W\d_]+/g) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]!;
    const y = right[i]!;
    const xNumeric = isDigit(x[0]);
    const yNumeric = isDigit(y[0]);
    let result: number;
    if (xNumeric && yNumeric) result = compareDigits(x, y);
    else if (xNumeric !== yNumeric) result = xNumeric ? 1 : -1;
    else result = compareText(x, y);
    if (result !== 0) return result;
  }
  return sign(left.length - right.length);
}

// ---- Debian ----

function dpkgOrder(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = dpkgOrder(a[i]);
      const bc = dpkgOrder(b[j]);
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff) return sign(firstDiff);
  }
  return 0;
}

interface Evr {
  epoch: string;
  version: string;
  release: string | undefined;
}

function parseEvr(text: string): Evr {
  let rest = text.trim();
  let epoch = '0';
  const colon = rest.indexOf(':');
  if (colon >= 0 && /^\d*$/.test(rest.slice(0, colon))) {
    epoch = rest.slice(0, colon) || '0';
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  if (dash >= 0) return { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) };
  return { epoch, version: rest, release: undefined };
}

/**
 * Compares `[epoch:]version[-release]` strings: epochs numerically, then versions, then releases with `segments`.
 * With `releaseOptional`, a side without a release compares equal on it (rpm, pacman); otherwise a missing release
 * is the empty one (dpkg).
 */
function compareEvr(a: string, b: string, segments: (x: string, y: string) => number, releaseOptional: boolean): number {
  const x = parseEvr(a);
  const y = parseEvr(b);
  const epoch = compareDigits(x.epoch, y.epoch);
  if (epoch) return epoch;
  const version = segments(x.version, y.version);
  if (version) return version;
  if (releaseOptional && (x.release === undefined || y.release === undefined)) return 0;
  return segments(x.release ?? '', y.release ?? '');
}

export function compareDpkg(a: string, b: string): number {
  return compareEvr(a, b, verrevcmp, false);
}

// ---- RPM ----

/**
 * rpm's and pacman's shared step: the run of digits (or of letters, after what a[i] is) starting at a[i] and b[j],
 * compared numerically or alphabetically; a digit run beats a letter run. `result` 0 means equal so far.
 */
function compareRun(a: string, i: number, b: string, j: number): { result: number; i: number; j: number } {
  const numeric = isDigit(a[i]);
  const accept = numeric ? isDigit : isAlpha;
  const startA = i;
  const startB = j;
  while (i < a.length && accept(a[i])) i++;
  while (j < b.length && accept(b[j])) j++;
  if (j === startB) return { result: numeric ? 1 : -1, i, j };
  const x = a.slice(startA, i);
  const y = b.slice(startB, j);
  return { result: numeric ? compareDigits(x, y) : compareText(x, y), i, j };
}

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    const run = compareRun(a, i, b, j);
    if (run.result) return run.result;
    i = run.i;
    j = run.j;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export function compareRhel(a: string, b: string): number {
  return compareEvr(a, b, rpmvercmp, true);
}

// ---- Arch (pacman) ----

function pacmanVercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const sepA = i;
    const sepB = j;
    while (i < a.length && !isAlnum(a[i])) i++;
    while (j < b.length && !isAlnum(b[j])) j++;
    if (i >= a.length || j >= b.length) break;
    if (i - sepA !== j - sepB) return i - sepA < j - sepB ? -1 : 1;
    const run = compareRun(a, i, b, j);
    if (run.result) return run.result;
    i = run.i;
    j = run.j;
  }
  if (i >= a.length && j >= b.length) return 0;
  if ((i >= a.length && !isAlpha(b[j])) || isAlpha(a[i])) return -1;
  return 1;
}

export function compareArch(a: string, b: string): number {
  return compareEvr(a, b, pacmanVercmp, true);
}

export const COMPARATORS: Record<VersionFlavor, (a: string, b: string) => number> = {
  GENERIC: compareGeneric,
  DPKG: compareDpkg,
  RHEL: compareRhel,
  ARCH: compareArch,
};

/** version_compare(a, b[, flavor]) → -1, 0 or 1. */
const versionCompare: SqlFunction = {
  name: 'version_compare',
  arity: -1,
  deterministic: true,
  run(call) {
    if (call.argc < 2 || call.isNull(0) || call.isNull(1)) throw new Error('Must provide two version strings to compare.');
    let flavor: VersionFlavor = 'GENERIC';
    if (call.argc > 2) {
      if (call.type(2) !== SQLITE.TEXT) throw new Error('The optional third parameter is not a string.');
      const requested = call.text(2)!.toUpperCase();
      if (requested !== 'ARCH' && requested !== 'DPKG' && requested !== 'RHEL') {
        throw new Error('The optional third parameter does not match one of: (ARCH, DPKG, RHEL).');
      }
      flavor = requested;
    }
    call.integer(COMPARATORS[flavor](call.text(0)!, call.text(1)!));
  },
};

export const versionFunctions: readonly SqlFunction[] = [versionCompare];
