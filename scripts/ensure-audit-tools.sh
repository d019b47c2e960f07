#!/bin/sh
# Debian's audit userspace (auditctl, auditd, ausearch) for the node-audit and audit tests and the audit bench; the
# tests start and stop their own auditd instance explicitly and check that none is left running.
exec sh "$(dirname "$0")/ensure-debian-packages.sh" auditd -- auditctl auditd ausearch
