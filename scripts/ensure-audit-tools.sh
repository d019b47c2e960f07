#!/bin/sh
# Installs Debian's audit userspace (auditctl, auditd, ausearch) for node-audit tests and the audit bench.
# Never leaves auditd running: Debian's policy-rc.d on this machine stops the service from starting at install,
# and the tests start and stop their own auditd instance explicitly.
set -e
if command -v auditctl >/dev/null 2>&1 && command -v auditd >/dev/null 2>&1 && command -v ausearch >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends auditd >/dev/null 2>&1 || {
  apt-get -o DPkg::Lock::Timeout=300 update >/dev/null 2>&1
  apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends auditd >/dev/null
}
# An install may have started the daemon on systems without policy-rc.d: stop it so the kernel audit pid is free.
if pidof auditd >/dev/null 2>&1; then
  kill "$(pidof auditd)" 2>/dev/null || true
fi
command -v auditctl >/dev/null
