#!/bin/sh
# Installs udevadm (Debian package udev) for the hardware_events test, which runs `udevadm monitor --kernel --property`
# beside Quarry as the reference for what the kernel sent. The udevd service the package ships is not started.
exec sh "$(dirname "$0")/ensure-debian-packages.sh" udev -- udevadm
