#!/bin/sh
# gitlab-syslog: before the files are removed (deb prerm remove|upgrade|...,
# rpm %preun 0 on erase, 1 on upgrade). On removal (not on upgrade) stops the
# service when systemd runs. rpm erase also disables it (the RPM
# convention); deb remove keeps it enabled, as Debian does, so that a
# reinstall starts it again, and purge removes the enablement.
set -e
unit=gitlab-syslog.service
case "$1" in
remove | 0)
	if [ -d /run/systemd/system ]; then
		systemctl stop "$unit" || true
	fi
	;;
esac
if [ "$1" = 0 ] && command -v systemctl >/dev/null; then
	systemctl --no-reload disable "$unit" >/dev/null 2>&1 || true
fi
exit 0
