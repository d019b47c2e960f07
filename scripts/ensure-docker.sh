#!/bin/sh
# Debian's Docker engine (dockerd + the docker CLI) and a static busybox: the docker table tests start a private
# dockerd on a socket of their own (never /var/run/docker.sock) and import a busybox-only image (no registry).
exec sh "$(dirname "$0")/ensure-debian-packages.sh" docker.io busybox-static -- dockerd docker /bin/busybox
