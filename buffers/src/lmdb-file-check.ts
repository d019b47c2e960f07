/**
 * Checks an LMDB 0.9 data file with plain reads (never mapping it) before LMDB maps it: LMDB trusts the file, and
 * a page it reaches beyond the end of a truncated file kills the process with SIGBUS.
 *
 * The newest valid meta page says how many pages the database spans (mm_last_pg + 1). A file at least that long is
 * whole as far as mapping goes. A shorter file is not necessarily damaged: pages allocated and freed again within one
 * transaction at the end of the file ("loose" pages) are never written. So then every page the database references
 * is walked — the B-trees of the free list, the main database and each named database, and the overflow pages of
 * large values — and the file is refused only when one of them lies beyond its end. The walk reads pages another
 * process may be rewriting at that moment (without a reader slot), so an inconsistent page is retried on the newest
 * meta before it counts as damage.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

const MAGIC = 0xbeefc0de;
const META = 16; // the meta follows the 16-byte page header
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const P_INVALID = 0xffffffffffffffffn;

export interface FileProblem {
  readonly problem: string;
}

interface Meta {
  txnid: bigint;
  lastPage: bigint;
  freeRoot: bigint;
  mainRoot: bigint;
}

function readAt(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  return read === length ? buffer : buffer.subarray(0, read);
}

function newestMeta(fd: number, pageSize: number): Meta | undefined {
  let newest: Meta | undefined;
  for (const page of [0, 1]) {
    const bytes = readAt(fd, 160, page * pageSize + META);
    if (bytes.length < 160 || bytes.readUInt32LE(0) !== MAGIC) continue;
    const meta: Meta = {
      txnid: bytes.readBigUInt64LE(128),
      lastPage: bytes.readBigUInt64LE(120),
      freeRoot: bytes.readBigUInt64LE(24 + 40),
      mainRoot: bytes.readBigUInt64LE(72 + 40),
    };
    if (newest === undefined || meta.txnid > newest.txnid) newest = meta;
  }
  return newest;
}

/** Walks every page `meta` references; the first one beyond `filePages` (or an inconsistent page) is a problem. */
function walk(fd: number, pageSize: number, filePages: bigint, meta: Meta): string | undefined {
  const stack: Array<{ page: bigint; named: boolean }> = [];
  if (meta.freeRoot !== P_INVALID) stack.push({ page: meta.freeRoot, named: false });
  if (meta.mainRoot !== P_INVALID) stack.push({ page: meta.mainRoot, named: true });
  const seen = new Set<bigint>();
  while (stack.length > 0) {
    const { page, named } = stack.pop()!;
    if (page >= filePages) return `page ${page} is referenced but the file ends at page ${filePages}`;
    if (seen.has(page)) return `page ${page} is referenced twice`;
    seen.add(page);
    const bytes = readAt(fd, pageSize, Number(page) * pageSize);
    if (bytes.length < pageSize) return `page ${page} cannot be read whole`;
    if (bytes.readBigUInt64LE(0) !== page) return `page ${page} holds page number ${bytes.readBigUInt64LE(0)}`;
    const flags = bytes.readUInt16LE(10);
    const lower = bytes.readUInt16LE(12);
    if ((flags & (P_BRANCH | P_LEAF)) === 0 || lower < 16 || lower > pageSize) return `page ${page} is not a tree page (flags ${flags})`;
    for (let i = 0; i < (lower - 16) >> 1; i++) {
      const node = bytes.readUInt16LE(16 + i * 2);
      if (node + 8 > pageSize) return `page ${page} has a node outside it`;
      const lo = bytes.readUInt16LE(node);
      const hi = bytes.readUInt16LE(node + 2);
      const nodeFlags = bytes.readUInt16LE(node + 4);
      const keySize = bytes.readUInt16LE(node + 6);
      if (flags & P_BRANCH) {
        stack.push({ page: BigInt(lo) | (BigInt(hi) << 16n) | (BigInt(nodeFlags) << 32n), named });
        continue;
      }
      const data = node + 8 + keySize;
      if (nodeFlags & F_BIGDATA) {
        if (data + 8 > pageSize) return `page ${page} has a value outside it`;
        const overflow = bytes.readBigUInt64LE(data);
        if (overflow >= filePages) return `overflow page ${overflow} is referenced but the file ends at page ${filePages}`;
        const head = readAt(fd, 16, Number(overflow) * pageSize);
        if (head.length < 16 || head.readBigUInt64LE(0) !== overflow || (head.readUInt16LE(10) & P_OVERFLOW) === 0) {
          return `overflow page ${overflow} is not an overflow page`;
        }
        const end = overflow + BigInt(head.readUInt32LE(12));
        if (end > filePages) return `overflow pages ${overflow}..${end - 1n} reach past the end of the file (page ${filePages})`;
      } else if (named && nodeFlags & F_SUBDATA) {
        if (data + 48 > pageSize) return `page ${page} has a database record outside it`;
        const root = bytes.readBigUInt64LE(data + 40);
        if (root !== P_INVALID) stack.push({ page: root, named: false });
      }
    }
  }
  return undefined;
}

/**
 * Why the LMDB file at `dataPath` (page size `pageSize`, `size` bytes, header already checked) cannot be mapped
 * safely, or undefined when it can.
 */
export function truncationProblem(dataPath: string, pageSize: number, size: number): string | undefined {
  const fd = openSync(dataPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    let previous: bigint | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      const meta = newestMeta(fd, pageSize);
      if (meta === undefined) return 'has no valid meta page';
      const filePages = BigInt(Math.floor(fstatSync(fd).size / pageSize));
      const needed = (meta.lastPage + 1n) * BigInt(pageSize);
      if (BigInt(fstatSync(fd).size) >= needed) return undefined;
      const problem = walk(fd, pageSize, filePages, meta);
      if (problem === undefined) return undefined;
      // another process may have committed meanwhile: try again on its newer meta; the same meta twice is damage
      if (previous === meta.txnid) return `is ${size} bytes but its meta page says it holds ${needed}, and ${problem} (truncated: a full disk, an interrupted copy or restore?)`;
      previous = meta.txnid;
    }
    return 'keeps changing under the check';
  } finally {
    closeSync(fd);
  }
}
