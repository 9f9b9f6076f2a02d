#!/bin/sh
# gitlab-syslog: after the files are removed (deb postrm remove|purge|...,
# rpm %postun 0 on erase, 1 on upgrade).
#
# remove (deb) and erase (rpm) keep /etc/gitlab-syslog/config.yaml and the
# checkpoints in /var/lib/gitlab-syslog, so a reinstall resumes where the
# agent stopped. deb purge deletes the state directory (checkpoints,
# streaming spool, detection state) and /etc/gitlab-syslog once dpkg has
# removed the config file from it, unless the administrator left other files
# there. The gitlab-syslog system user stays (Debian's practice: files that
# still carry its uid must not go to a future user).
set -e
case "$1" in
purge)
	# The unit file is gone, so systemctl disable cannot find it: remove the
	# enablement symlinks themselves.
	rm -f /etc/systemd/system/*.wants/gitlab-syslog.service
	rm -rf /var/lib/gitlab-syslog
	if [ -d /etc/gitlab-syslog ] && ! rmdir /etc/gitlab-syslog 2>/dev/null; then
		echo "gitlab-syslog: /etc/gitlab-syslog kept: it holds files the package did not install"
	fi
	;;
esac
case "$1" in
remove | purge | 0)
	if [ -d /run/systemd/system ]; then
		systemctl daemon-reload || true
	fi
	;;
esac
exit 0
