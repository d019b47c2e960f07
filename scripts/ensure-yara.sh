#!/bin/sh
# Debian's YARA 4.2: the `yara` command the yara tests and bench compare against, and libyara9, which Quarry's yara
# tables load through koffi.
exec sh "$(dirname "$0")/ensure-debian-packages.sh" yara libyara9 -- yara '/usr/lib/*-linux-gnu/libyara.so.9'
