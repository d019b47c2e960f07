/** LMDB 0.9 constants (lmdb.h), by their C names. */

/** Environment flags (mdb_env_open). */
export const EnvFlags = {
  MDB_FIXEDMAP: 0x01,
  MDB_NOSUBDIR: 0x4000,
  MDB_NOSYNC: 0x10000,
  MDB_RDONLY: 0x20000,
  MDB_NOMETASYNC: 0x40000,
  MDB_WRITEMAP: 0x80000,
  MDB_MAPASYNC: 0x100000,
  MDB_NOTLS: 0x200000,
  MDB_NOLOCK: 0x400000,
  MDB_NORDAHEAD: 0x800000,
  MDB_NOMEMINIT: 0x1000000,
} as const;

/** Database flags (mdb_dbi_open). */
export const DbiFlags = {
  MDB_REVERSEKEY: 0x02,
  MDB_DUPSORT: 0x04,
  MDB_INTEGERKEY: 0x08,
  MDB_CREATE: 0x40000,
} as const;

/** Write flags (mdb_put). */
export const PutFlags = {
  MDB_NOOVERWRITE: 0x10,
  MDB_RESERVE: 0x10000,
  MDB_APPEND: 0x20000,
} as const;

/** Cursor operations (mdb_cursor_get). */
export const CursorOp = {
  MDB_FIRST: 0,
  MDB_GET_CURRENT: 4,
  MDB_LAST: 6,
  MDB_NEXT: 8,
  MDB_PREV: 12,
  MDB_SET: 15,
  MDB_SET_KEY: 16,
  MDB_SET_RANGE: 17,
} as const;

/** LMDB's own return codes, by name. */
export const ErrorCodes: Readonly<Record<number, string>> = {
  [-30799]: 'MDB_KEYEXIST',
  [-30798]: 'MDB_NOTFOUND',
  [-30797]: 'MDB_PAGE_NOTFOUND',
  [-30796]: 'MDB_CORRUPTED',
  [-30795]: 'MDB_PANIC',
  [-30794]: 'MDB_VERSION_MISMATCH',
  [-30793]: 'MDB_INVALID',
  [-30792]: 'MDB_MAP_FULL',
  [-30791]: 'MDB_DBS_FULL',
  [-30790]: 'MDB_READERS_FULL',
  [-30789]: 'MDB_TLS_FULL',
  [-30788]: 'MDB_TXN_FULL',
  [-30787]: 'MDB_CURSOR_FULL',
  [-30786]: 'MDB_PAGE_FULL',
  [-30785]: 'MDB_MAP_RESIZED',
  [-30784]: 'MDB_INCOMPATIBLE',
  [-30783]: 'MDB_BAD_RSLOT',
  [-30782]: 'MDB_BAD_TXN',
  [-30781]: 'MDB_BAD_VALSIZE',
  [-30780]: 'MDB_BAD_DBI',
};

export const MDB_NOTFOUND = -30798;
export const MDB_KEYEXIST = -30799;
