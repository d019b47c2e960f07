/**
 * What quarryd turned on in the kernel, said on the console at start: kernel audit changes host state (the audit
 * pid, audit rules) that a user running `npm start` may not expect. The notice names the flag that turned it on and
 * the way to start without it (`npm start -- --disable_audit=true` under npm: a flag after the flagfile wins).
 */
import type { Flags } from '@quarry/config';
import type { EventStatus } from '@quarry/events';

export function kernelFeaturesNotice(status: readonly EventStatus[], flags: Flags, auditPublisher: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const audit = status.find((s) => s.type === 'publisher' && s.name === auditPublisher);
  if (!audit || audit.active !== 1) return undefined;
  const rules = flags.bool('audit_allow_config') ? ', and loads the audit rules the config asks for (--audit_allow_config=true)' : '';
  const source = flags.isDefault('disable_audit') ? '' : ' (--disable_audit=false)';
  const without = env.npm_lifecycle_event === 'start' ? 'npm start -- --disable_audit=true' : 'add --disable_audit=true (after any --flagfile on the command line)';
  return `Kernel audit is on${source}: quarryd took the kernel's audit pid and enabled audit${rules}; the audit state it found is put back when it stops. To start without it: ${without}`;
}
