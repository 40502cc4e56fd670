#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what slabsim needs to build, test and plot on Debian (12 or later).
# Run as root it installs with apt-get; otherwise it prints the command.
set -e
PKGS="build-essential autoconf automake pkg-config libgsl-dev libsqlite3-dev check \
zlib1g-dev liblzma-dev gnuplot-nox sqlite3 xz-utils \
libtracecmd-dev libtraceevent-dev libtracefs-dev parallel procps \
chromium chromium-driver curl groff-base"

missing=""
for p in $PKGS; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all build dependencies are installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
