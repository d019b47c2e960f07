#!/bin/sh
# Installs Debian packages a test or bench compares against or loads, unless what they provide is already there.
# Usage: ensure-debian-packages.sh PACKAGE... -- NEEDED...
#   NEEDED is a command name (looked up on PATH) or an absolute path, which may hold a glob
#   (/usr/lib/*-linux-gnu/libyara.so.9). Nothing is installed when every NEEDED is present; after the install every
#   NEEDED must be present, else the script fails naming the first one missing.
# Services the packages ship are not started by the install on these machines (Debian's policy-rc.d refuses it, and
# there is no init): tests start their own instances (auditd, rsyslogd) and stop them.
set -e
packages=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do packages="$packages $1"; shift; done
[ "$1" = "--" ] && shift
if [ -z "$packages" ] || [ $# -eq 0 ]; then
  echo "usage: $0 PACKAGE... -- NEEDED..." >&2
  exit 2
fi

missing() {
  for needed in "$@"; do
    case "$needed" in
      /*) ls $needed >/dev/null 2>&1 || { echo "$needed"; return 0; } ;;
      *) command -v "$needed" >/dev/null 2>&1 || { echo "$needed"; return 0; } ;;
    esac
  done
  return 1
}

missing "$@" >/dev/null || exit 0
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # the package list is meant to split
apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends $packages >/dev/null 2>&1 || {
  apt-get -o DPkg::Lock::Timeout=300 update >/dev/null 2>&1
  apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends $packages >/dev/null
}
if first=$(missing "$@"); then
  echo "$0: installed$packages but $first is still missing" >&2
  exit 1
fi
