#!/bin/sh
# Debian's file 5.x: libmagic1 (the library Quarry's magic table loads through koffi), libmagic-mgc (the compiled
# system magic database the table loads by default) and `file` (the reference the magic tests compare with; `file -C`
# compiles the custom database the tests point magic_db_files at).
exec sh "$(dirname "$0")/ensure-debian-packages.sh" file libmagic1 libmagic-mgc -- file '/usr/lib/*-linux-gnu/libmagic.so.1' /usr/lib/file/magic.mgc
