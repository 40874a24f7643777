#!/bin/sh
# --setup script (before PID 1): makes the guest's root, a copy of this host's, behave as a real
# Debian machine does for a package install.
set -eu
# A Docker-like host has /usr/sbin/policy-rc.d exiting 101, so that installs during an image
# build start nothing; a real machine has none, and the maintainer scripts start the units.
rm -f /usr/sbin/policy-rc.d
# The man-db trigger the manual pages set off rescans the manual tree over 9p: slow under TCG,
# and nothing we test.
rm -f /var/lib/man-db/auto-update
