#!/bin/sh
# gitlab-syslog: before the files are unpacked (deb preinst install|upgrade,
# rpm %pre 1|2). Creates the system group and user first, so that the
# packaged /etc/gitlab-syslog/config.yaml (root:gitlab-syslog 0640) gets
# its group when it is unpacked.
set -e
case "$1" in
abort-upgrade) exit 0 ;;
esac
user=gitlab-syslog
home=/var/lib/gitlab-syslog
if ! getent group "$user" >/dev/null; then
	groupadd --system "$user"
fi
if ! getent passwd "$user" >/dev/null; then
	nologin=/usr/sbin/nologin
	[ -x "$nologin" ] || nologin=/sbin/nologin
	useradd --system --gid "$user" --home-dir "$home" --no-create-home \
		--shell "$nologin" --comment "gitlab-syslog agent" "$user"
fi
exit 0
