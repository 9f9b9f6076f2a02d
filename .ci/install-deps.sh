#!/usr/bin/env bash
# Installs what the integration tests and the benchmark harness need:
# rsyslog, its TLS driver (rsyslog-gnutls) and its RELP modules (rsyslog-relp) from apt, and syslog-ng unpacked beside it (the two packages
# conflict, so syslog-ng-core is fetched with `apt-get download` and unpacked
# with `dpkg -x` into /opt/syslog-ng; its libraries come from apt).
# The package tests (internal/release) need rpm (to inspect the .rpm),
# lintian (to lint the .deb) and systemd-analyze (package systemd, to verify
# the installed unit).
set -euo pipefail
SNG_ROOT=${SNG_ROOT:-/opt/syslog-ng}
need_apt=0
command -v rsyslogd >/dev/null || need_apt=1
compgen -G '/usr/lib/*/rsyslog/lmnsd_gtls.so' >/dev/null || need_apt=1
compgen -G '/usr/lib/*/rsyslog/imrelp.so' >/dev/null || need_apt=1
[ -x "$SNG_ROOT/usr/sbin/syslog-ng" ] || need_apt=1
pkg_tools=""
command -v rpm >/dev/null || pkg_tools="$pkg_tools rpm"
command -v lintian >/dev/null || pkg_tools="$pkg_tools lintian"
command -v systemd-analyze >/dev/null || pkg_tools="$pkg_tools systemd"
[ -z "$pkg_tools" ] || need_apt=1
if [ "$need_apt" = 0 ]; then
  echo "install-deps: rsyslogd, its gtls driver, imrelp, $SNG_ROOT/usr/sbin/syslog-ng, rpm, lintian and systemd-analyze already present"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq rsyslog rsyslog-gnutls rsyslog-relp libcap2 libglib2.0-0 libivykis0 libjson-c5 libnet1 libpcre3 libssl3 libwrap0 $pkg_tools >/dev/null
tmp=$(mktemp -d)
(cd "$tmp" && apt-get download -qq syslog-ng-core)
mkdir -p "$SNG_ROOT"
dpkg -x "$tmp"/syslog-ng-core_*.deb "$SNG_ROOT"
rm -rf "$tmp"
echo "install-deps: rsyslogd $(rsyslogd -v | head -1)"
echo "install-deps: syslog-ng at $SNG_ROOT/usr/sbin/syslog-ng"
echo "install-deps: $(rpm --version), lintian $(lintian --version | awk '{print $2}'), $(systemd-analyze --version | head -1)"
