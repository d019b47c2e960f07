/**
 * The local account databases, /etc/passwd and /etc/group, as osquery reads them by default (no NSS), plus the
 * NSS view through getent(1) for the tables and options that ask for it.
 */
import { spawnSync } from 'node:child_process';
import { nonEmptyLines, readText } from '../system/host-files.js';

export interface PasswdEntry {
  readonly username: string;
  readonly uid: number;
  readonly gid: number;
  readonly description: string;
  readonly directory: string;
  readonly shell: string;
}

export interface GroupEntry {
  readonly groupname: string;
  readonly gid: number;
  readonly members: readonly string[];
}

function parsePasswdLine(line: string): PasswdEntry | undefined {
  if (line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) return undefined;
  const fields = line.split(':');
  if (fields.length < 7) return undefined;
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || fields[2] === '' || fields[3] === '') return undefined;
  return { username: fields[0]!, uid, gid, description: fields[4]!, directory: fields[5]!, shell: fields.slice(6).join(':') };
}

function parseGroupLine(line: string): GroupEntry | undefined {
  if (line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) return undefined;
  const fields = line.split(':');
  if (fields.length < 4 || fields[2] === '') return undefined;
  const gid = Number(fields[2]);
  if (!Number.isInteger(gid)) return undefined;
  return { groupname: fields[0]!, gid, members: fields[3]!.split(',').filter(Boolean) };
}

/** Entries of a passwd-format file (default /etc/passwd); empty when it is missing. */
export function readPasswd(path = '/etc/passwd'): PasswdEntry[] {
  return nonEmptyLines(readText(path) ?? '').flatMap((line) => parsePasswdLine(line) ?? []);
}

/** Entries of a group-format file (default /etc/group); empty when it is missing. */
export function readGroups(path = '/etc/group'): GroupEntry[] {
  return nonEmptyLines(readText(path) ?? '').flatMap((line) => parseGroupLine(line) ?? []);
}

/**
 * Accounts through NSS (files, LDAP, sssd, systemd…): `getent passwd -- [keys]`. The `--` keeps a key that starts with
 * `-` (it comes from SQL) from being read as a getent option. Empty when getent is unavailable.
 */
export function nssPasswd(keys: readonly string[] = []): PasswdEntry[] {
  const result = spawnSync('getent', ['passwd', '--', ...keys], { encoding: 'utf8' });
  if (result.error !== undefined || typeof result.stdout !== 'string') return [];
  return nonEmptyLines(result.stdout).flatMap((line) => parsePasswdLine(line) ?? []);
}

/** A 32-bit id seen as a signed int, as osquery's *_signed columns: 4294967294 → -2. */
export function signedId(id: number): number {
  return id | 0;
}

/** The group ids of a user as getgrouplist(3) lists them: the primary group first, then every group naming the user. */
export function groupIdsOf(user: PasswdEntry, groups: readonly GroupEntry[]): number[] {
  const ids = [user.gid];
  for (const group of groups) {
    if (group.members.includes(user.username) && !ids.includes(group.gid)) ids.push(group.gid);
  }
  return ids;
}
