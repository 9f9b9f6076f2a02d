#!/bin/sh
# gitlab-syslog: before the files are removed (deb prerm remove|upgrade|...,
# rpm %preun 0 on erase, 1 on upgrade). On removal (not on upgrade) stops and
# disables the service; stopping needs systemd running, disabling (removing
# the enablement symlinks) works without it.
set -e
case "$1" in
remove | 0)
	if [ -d /run/systemd/system ]; then
		systemctl stop gitlab-syslog.service || true
	fi
	if command -v systemctl >/dev/null; then
		systemctl --no-reload disable gitlab-syslog.service >/dev/null 2>&1 || true
	fi
	;;
esac
exit 0
