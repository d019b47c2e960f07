#!/bin/sh
# Debian's Augeas: libaugeas0 (the library Quarry's augeas table loads through koffi), augeas-lenses (the lenses
# --augeas_lenses points at by default) and augeas-tools (`augtool`, the reference the augeas tests compare with).
exec sh "$(dirname "$0")/ensure-debian-packages.sh" libaugeas0 augeas-lenses augeas-tools -- augtool /usr/share/augeas/lenses/dist '/usr/lib/*-linux-gnu/libaugeas.so.0'
