#!/bin/sh
# Debian's attr (`setfattr`, `getfattr`: set the extended attributes the extended_attributes tests read back and the
# reference they compare with) and libcap2-bin (`setcap`, `getcap`: the reference for the decoded security.capability).
exec sh "$(dirname "$0")/ensure-debian-packages.sh" attr libcap2-bin -- setfattr getfattr setcap getcap
