#!/bin/sh
# gitlab-syslog: after the files are unpacked (deb postinst configure, rpm
# %post 1 on install, 2 or more on upgrade).
#
# - Adds the gitlab-syslog user to the groups that can read GitLab's logs,
#   when they exist: gitlab-www (the NGINX logs) and the group named by
#   logging['log_group'] in /etc/gitlab/gitlab.rb (the gitlab-rails logs;
#   Omnibus gives it read access after `gitlab-ctl reconfigure`).
# - Creates the state directory /var/lib/gitlab-syslog (gitlab-syslog, 0750).
# - On a first install enables the service and, with systemd running, starts
#   it (Debian's default for daemons): the default config follows
#   /var/log/gitlab and forwards to the local syslog daemon on
#   127.0.0.1:514. On an upgrade or a reinstall, daemon-reload and restart
#   the service if it is enabled (else only if it runs).
# Without systemd running (a container, a chroot, CI) only the enablement
# symlink is made; the other systemctl calls are skipped.
set -e
user=gitlab-syslog
state=/var/lib/gitlab-syslog
case "$1" in
configure) upgrade=${2:+yes} ;; # deb: $2 is the version configured before
1) upgrade= ;;                  # rpm: first install
[2-9] | [1-9][0-9]*) upgrade=yes ;;
*) exit 0 ;; # deb abort-*: nothing to redo
esac

# The value of logging['log_group'] in gitlab.rb, or nothing.
log_group=
if [ -r /etc/gitlab/gitlab.rb ]; then
	log_group=$(sed -n "s/^[[:space:]]*logging\[[\"']log_group[\"']\][[:space:]]*=[[:space:]]*[\"']\([^\"']*\)[\"'].*/\1/p" /etc/gitlab/gitlab.rb | tail -n 1)
fi
for group in gitlab-www $log_group; do
	if id -nG "$user" 2>/dev/null | tr ' ' '\n' | grep -qx "$group"; then
		: # a member already (an upgrade, dpkg-reconfigure)
	elif getent group "$group" >/dev/null; then
		usermod -a -G "$group" "$user"
		echo "gitlab-syslog: user $user added to group $group (reads GitLab's logs)"
	elif [ "$group" = "$log_group" ]; then
		echo "gitlab-syslog: group $group (logging['log_group'] in /etc/gitlab/gitlab.rb) does not exist yet;"
		echo "  after gitlab-ctl reconfigure, run: usermod -a -G $group $user; systemctl restart gitlab-syslog"
	fi
done
if [ -z "$log_group" ] && [ -d /var/log/gitlab/gitlab-rails ]; then
	echo "gitlab-syslog: /etc/gitlab/gitlab.rb sets no logging['log_group']: gitlab-rails logs are readable by git only."
	echo "  Set logging['log_group'] = 'gitlab-logs', run gitlab-ctl reconfigure, then: usermod -a -G gitlab-logs $user; systemctl restart gitlab-syslog"
fi

install -d -o "$user" -g "$user" -m 0750 "$state"

unit=gitlab-syslog.service
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi
if [ -z "$upgrade" ]; then
	if command -v systemctl >/dev/null; then
		systemctl enable "$unit" >/dev/null 2>&1 || echo "gitlab-syslog: could not enable $unit"
	fi
	if [ -d /run/systemd/system ]; then
		systemctl start "$unit" || echo "gitlab-syslog: $unit did not start: journalctl -u gitlab-syslog says why"
	fi
	echo "gitlab-syslog: configuration in /etc/gitlab-syslog/config.yaml (forward.url: where to send); after a change:"
	echo "  sudo -u $user gitlab-syslog check --config /etc/gitlab-syslog/config.yaml && systemctl restart gitlab-syslog"
elif [ -d /run/systemd/system ]; then
	if systemctl is-enabled --quiet "$unit"; then
		systemctl restart "$unit" || echo "gitlab-syslog: $unit did not restart: journalctl -u gitlab-syslog says why"
	else
		systemctl try-restart "$unit" || true
	fi
fi
exit 0
