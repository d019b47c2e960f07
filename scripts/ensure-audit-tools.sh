#!/bin/sh
# Installs Debian's audit userspace (auditctl, auditd, ausearch) for node-audit tests and the audit bench.
# Debian's policy-rc.d on this machine keeps the service from starting at install; the tests start and stop their
# own auditd instance explicitly and check that none is left running.
set -e
if command -v auditctl >/dev/null 2>&1 && command -v auditd >/dev/null 2>&1 && command -v ausearch >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends auditd >/dev/null 2>&1 || {
  apt-get -o DPkg::Lock::Timeout=300 update >/dev/null 2>&1
  apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends auditd >/dev/null
}
command -v auditctl >/dev/null
