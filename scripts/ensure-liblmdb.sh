#!/bin/sh
# Debian's liblmdb0 (the official LMDB 0.9), which Quarry's event buffers load through koffi (packages/node-liblmdb).
exec sh "$(dirname "$0")/ensure-debian-packages.sh" liblmdb0 -- '/usr/lib/*-linux-gnu/liblmdb.so.0'
