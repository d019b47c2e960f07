/**
 * Files the augeas tests write under a temporary root (this machine may lack /etc/sudoers, sshd_config or crontab),
 * and `augtool`, the reference: the same lenses (-S -I <dir>) and the same root (-r), its `print` output parsed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const LENSES = '/usr/share/augeas/lenses/dist';

export const FIXTURES: Record<string, string> = {
  '/etc/hosts': [
    '127.0.0.1\tlocalhost',
    '127.0.1.1\tquarry-test.example.org\tquarry-test',
    '# The following lines are desirable for IPv6 capable hosts',
    '::1     localhost ip6-localhost ip6-loopback',
    'ff02::1 ip6-allnodes',
    '',
  ].join('\n'),
  '/etc/sudoers': [
    '#',
    "# This file MUST be edited with the 'visudo' command as root.",
    '#',
    'Defaults\tenv_reset',
    'Defaults\tmail_badpass',
    'Defaults\tsecure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"',
    'Defaults\tuse_pty',
    '',
    '# User privilege specification',
    'root\tALL=(ALL:ALL) ALL',
    '',
    '# Allow members of group sudo to execute any command',
    '%sudo\tALL=(ALL:ALL) ALL',
    'backup\tALL=(root) NOPASSWD: /usr/bin/rsync',
    '',
    '@includedir /etc/sudoers.d',
    '',
  ].join('\n'),
  '/etc/ssh/sshd_config': [
    '# This is the sshd server system-wide configuration file.',
    'Include /etc/ssh/sshd_config.d/*.conf',
    'Port 2222',
    'PermitRootLogin prohibit-password',
    'KbdInteractiveAuthentication no',
    'UsePAM yes',
    'X11Forwarding yes',
    'PrintMotd no',
    '# Allow client to pass locale environment variables',
    'AcceptEnv LANG LC_*',
    'Subsystem\tsftp\t/usr/lib/openssh/sftp-server',
    'Match User backup',
    '    PasswordAuthentication no',
    '',
  ].join('\n'),
  '/etc/crontab': [
    '# /etc/crontab: system-wide crontab',
    'SHELL=/bin/sh',
    'PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin',
    '# m h dom mon dow user\tcommand',
    '17 *\t* * *\troot    cd / && run-parts --report /etc/cron.hourly',
    '25 6\t* * *\troot\ttest -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }',
    '47 6\t* * 7\troot\ttest -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.weekly; }',
    '',
  ].join('\n'),
};

export function writeFixtures(root: string): void {
  for (const [path, text] of Object.entries(FIXTURES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

export function ensureAugeas(): void {
  execFileSync('sh', [join(import.meta.dirname, '..', '..', 'scripts', 'ensure-augeas.sh')], { stdio: 'inherit' });
}

export interface PrintedNode {
  node: string;
  value: string;
}

/** Unquotes augtool's `= "..."` value (augtool escapes backslash, quote and control characters). */
function unquote(text: string): string {
  return text.replace(/\\(.)/g, (_, char: string) => ({ n: '\n', t: '\t', r: '\r' })[char] ?? char);
}

/** `augtool -r root -S -I LENSES <command>` output lines (augtool prints the tree node per line). */
export function augtool(root: string, command: string): string {
  return execFileSync('augtool', ['-r', root, '-S', '-I', LENSES, command], { encoding: 'utf8' });
}

/** `augtool print <path>` parsed into (node, value) pairs; a node printed without `= "…"` has value ''. */
export function augtoolPrint(root: string, path: string): PrintedNode[] {
  const nodes: PrintedNode[] = [];
  for (const line of augtool(root, `print ${path}`).split('\n')) {
    if (line.length === 0) continue;
    const valued = /^(.*?) = "(.*)"$/s.exec(line);
    nodes.push(valued ? { node: valued[1]!, value: unquote(valued[2]!) } : { node: line, value: '' });
  }
  return nodes;
}

/** The last path segment without a `[n]` position: augeas' label of a node. */
export function labelOf(node: string): string {
  const last = node.slice(node.lastIndexOf('/') + 1);
  return last.replace(/\[\d+\]$/, '');
}

/** Rows as sorted `node\tvalue\tlabel` lines, for multiset comparison (augtool prints depth-first, aug_match does not). */
export function rowKeys(rows: readonly { node?: unknown; value?: unknown; label?: unknown }[]): string[] {
  return rows.map((row) => `${String(row.node)}\t${String(row.value ?? '')}\t${String(row.label ?? '')}`).sort();
}
