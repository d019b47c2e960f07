#!/bin/sh
# Debian's rsyslog: the real syslog daemon test/daemon/syslog-logger.test.ts, test/events/syslog-events.test.ts and
# bench/daemon/syslog-logger.ts start with their own config on a temp socket (the system syslog and /dev/log are
# never touched), and util-linux's `logger` that writes to it.
exec sh "$(dirname "$0")/ensure-debian-packages.sh" rsyslog bsdutils -- rsyslogd logger
