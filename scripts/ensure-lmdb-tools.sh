#!/bin/sh
# The reference tools the LMDB tests and stress scripts compare against: mdb_stat / mdb_dump (lmdb-utils) and
# python3-lmdb (a second, independent binding of the same official library), with liblmdb0 itself.
exec sh "$(dirname "$0")/ensure-debian-packages.sh" liblmdb0 lmdb-utils python3-lmdb -- '/usr/lib/*-linux-gnu/liblmdb.so.0' mdb_stat mdb_dump '/usr/lib/python3/dist-packages/lmdb*'
