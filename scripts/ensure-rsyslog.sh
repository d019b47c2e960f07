#!/bin/sh
# Installs Debian's rsyslog (the real syslog daemon test/daemon/syslog-logger.test.ts and bench/daemon/syslog-logger.ts
# start with their own config on a temp socket; the system syslog and /dev/log are never touched). The package's
# service is not started: policy-rc.d-less containers have no init, and the tests run rsyslogd themselves.
set -e
if command -v rsyslogd >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends rsyslog >/dev/null 2>&1 || {
  apt-get -o DPkg::Lock::Timeout=300 update >/dev/null 2>&1
  apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends rsyslog >/dev/null
}
command -v rsyslogd >/dev/null
