#!/bin/sh
# Installs Debian's YARA 4.2 (the `yara` command the yara tests and bench compare against, and libyara9 that Quarry's
# yara tables load through koffi).
set -e
if command -v yara >/dev/null 2>&1 && [ -e /usr/lib/x86_64-linux-gnu/libyara.so.9 -o -e /usr/lib/aarch64-linux-gnu/libyara.so.9 ]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends yara libyara9 >/dev/null 2>&1 || {
  apt-get -o DPkg::Lock::Timeout=300 update >/dev/null 2>&1
  apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends yara libyara9 >/dev/null
}
command -v yara >/dev/null
