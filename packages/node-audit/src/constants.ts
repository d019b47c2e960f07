// Numbers from the Linux UAPI headers <linux/netlink.h> and <linux/audit.h>. Facts, gathered in one place.

/** Netlink protocol family and the audit protocol number. */
export const AF_NETLINK = 16;
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0o2000000;
export const NETLINK_AUDIT = 9;
/** Multicast group that receives a read-only copy of every kernel audit record (needs CAP_AUDIT_READ). */
export const AUDIT_NLGRP_READLOG = 1;

export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
export const SO_RCVBUFFORCE = 33;
export const SOL_NETLINK = 270;
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_DROP_MEMBERSHIP = 2;
export const MSG_DONTWAIT = 0x40;
export const MSG_TRUNC = 0x20;
export const POLLIN = 0x1;

/** struct nlmsghdr is 16 bytes; every message starts at a 4-byte boundary. */
export const NLMSG_HDRLEN = 16;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;

/** Control message types (1000-1099). */
export const AUDIT_GET = 1000;
export const AUDIT_SET = 1001;
export const AUDIT_LIST = 1002;
export const AUDIT_ADD = 1003;
export const AUDIT_DEL = 1004;
export const AUDIT_USER = 1005;
export const AUDIT_LOGIN = 1006;
export const AUDIT_SIGNAL_INFO = 1010;
export const AUDIT_ADD_RULE = 1011;
export const AUDIT_DEL_RULE = 1012;
export const AUDIT_LIST_RULES = 1013;
export const AUDIT_TRIM = 1014;
export const AUDIT_MAKE_EQUIV = 1015;
export const AUDIT_TTY_GET = 1016;
export const AUDIT_TTY_SET = 1017;
export const AUDIT_SET_FEATURE = 1018;
export const AUDIT_GET_FEATURE = 1019;
export const AUDIT_REPLACE = 1329;

/** Userspace message ranges accepted by AUDIT_USER-style sends. */
export const AUDIT_FIRST_USER_MSG = 1100;
export const AUDIT_LAST_USER_MSG = 1199;
export const AUDIT_FIRST_USER_MSG2 = 2100;
export const AUDIT_LAST_USER_MSG2 = 2999;

/** Kernel record types used by the publishers. */
export const AUDIT_SYSCALL = 1300;
export const AUDIT_PATH = 1302;
export const AUDIT_IPC = 1303;
export const AUDIT_SOCKETCALL = 1304;
export const AUDIT_CONFIG_CHANGE = 1305;
export const AUDIT_SOCKADDR = 1306;
export const AUDIT_CWD = 1307;
export const AUDIT_EXECVE = 1309;
export const AUDIT_EOE = 1320;
export const AUDIT_PROCTITLE = 1327;

/** struct audit_status mask bits. */
export const AUDIT_STATUS_ENABLED = 0x1;
export const AUDIT_STATUS_FAILURE = 0x2;
export const AUDIT_STATUS_PID = 0x4;
export const AUDIT_STATUS_RATE_LIMIT = 0x8;
export const AUDIT_STATUS_BACKLOG_LIMIT = 0x10;
export const AUDIT_STATUS_BACKLOG_WAIT_TIME = 0x20;
export const AUDIT_STATUS_LOST = 0x40;
export const AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL = 0x80;

/** failure modes */
export const AUDIT_FAIL_SILENT = 0;
export const AUDIT_FAIL_PRINTK = 1;
export const AUDIT_FAIL_PANIC = 2;

/** Rule lists (audit_rule_data.flags). */
export const AUDIT_FILTER_USER = 0x00;
export const AUDIT_FILTER_TASK = 0x01;
export const AUDIT_FILTER_ENTRY = 0x02;
export const AUDIT_FILTER_WATCH = 0x03;
export const AUDIT_FILTER_EXIT = 0x04;
export const AUDIT_FILTER_EXCLUDE = 0x05;
export const AUDIT_FILTER_FS = 0x06;
export const AUDIT_FILTER_URING_EXIT = 0x07;

/** Rule actions. */
export const AUDIT_NEVER = 0;
export const AUDIT_POSSIBLE = 1;
export const AUDIT_ALWAYS = 2;

export const AUDIT_MAX_FIELDS = 64;
export const AUDIT_BITMASK_SIZE = 64;
export const AUDIT_MAX_KEY_LEN = 256;

/** Rule field comparison operators (OR-ed into fieldflags). */
export const AUDIT_BIT_MASK = 0x08000000;
export const AUDIT_LESS_THAN = 0x10000000;
export const AUDIT_GREATER_THAN = 0x20000000;
export const AUDIT_NOT_EQUAL = 0x30000000;
export const AUDIT_EQUAL = 0x40000000;
export const AUDIT_BIT_TEST = AUDIT_BIT_MASK | AUDIT_EQUAL;
export const AUDIT_LESS_THAN_OR_EQUAL = AUDIT_LESS_THAN | AUDIT_EQUAL;
export const AUDIT_GREATER_THAN_OR_EQUAL = AUDIT_GREATER_THAN | AUDIT_EQUAL;

/** Rule field numbers. */
export const AUDIT_FIELDS = {
  pid: 0,
  uid: 1,
  euid: 2,
  suid: 3,
  fsuid: 4,
  gid: 5,
  egid: 6,
  sgid: 7,
  fsgid: 8,
  auid: 9,
  pers: 10,
  arch: 11,
  msgtype: 12,
  subj_user: 13,
  subj_role: 14,
  subj_type: 15,
  subj_sen: 16,
  subj_clr: 17,
  ppid: 18,
  obj_user: 19,
  obj_role: 20,
  obj_type: 21,
  obj_lev_low: 22,
  obj_lev_high: 23,
  loginuid_set: 24,
  sessionid: 25,
  fstype: 26,
  devmajor: 100,
  devminor: 101,
  inode: 102,
  exit: 103,
  success: 104,
  path: 105,
  perm: 106,
  dir: 107,
  filetype: 108,
  obj_uid: 109,
  obj_gid: 110,
  field_compare: 111,
  exe: 112,
  saddr_fam: 113,
  a0: 200,
  a1: 201,
  a2: 202,
  a3: 203,
  key: 210,
} as const;
export type AuditFieldName = keyof typeof AUDIT_FIELDS;

/** Fields whose value is a string stored in audit_rule_data.buf (the field's value is the string's length). */
export const AUDIT_STRING_FIELDS: ReadonlySet<number> = new Set([13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 105, 107, 112, 210]);

/** AUDIT_ARCH values for the `arch` rule field. */
export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;
export const AUDIT_ARCH_ARM = 0x40000028;
