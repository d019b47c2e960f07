#!/bin/sh
# Installs Debian's Augeas: libaugeas0 (the library Quarry's augeas table loads through koffi), augeas-lenses (the
# lenses --augeas_lenses points at by default) and augeas-tools (`augtool`, the reference the augeas tests compare with).
set -e
if command -v augtool >/dev/null 2>&1 && [ -d /usr/share/augeas/lenses/dist ] \
  && [ -e /usr/lib/x86_64-linux-gnu/libaugeas.so.0 -o -e /usr/lib/aarch64-linux-gnu/libaugeas.so.0 ]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends libaugeas0 augeas-lenses augeas-tools >/dev/null 2>&1 || {
  apt-get -o DPkg::Lock::Timeout=300 update >/dev/null 2>&1
  apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends libaugeas0 augeas-lenses augeas-tools >/dev/null
}
command -v augtool >/dev/null
