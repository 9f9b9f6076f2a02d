#!/bin/sh
# gitlab-syslog: after the files are unpacked (deb postinst configure, rpm
# %post 1 on install, 2 or more on upgrade).
#
# - Adds the gitlab-syslog user to the groups that can read GitLab's logs,
#   when they exist: gitlab-www (the NGINX logs) and the group named by
#   logging['log_group'] in /etc/gitlab/gitlab.rb (the gitlab-rails logs;
#   Omnibus gives it read access after `gitlab-ctl reconfigure`).
# - Creates the state directory /var/lib/gitlab-syslog (gitlab-syslog, 0750).
# - With systemd running: daemon-reload, and on upgrade restarts the service
#   if it was running. A fresh install does not enable or start the service:
#   the destination in /etc/gitlab-syslog/config.yaml must be set first.
# Without systemd running (a container, a chroot, CI) the systemctl calls are
# skipped.
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
	if getent group "$group" >/dev/null; then
		usermod -a -G "$group" "$user"
		echo "gitlab-syslog: user $user added to group $group (reads GitLab's logs)"
	elif [ "$group" = "$log_group" ]; then
		echo "gitlab-syslog: group $group (logging['log_group'] in /etc/gitlab/gitlab.rb) does not exist yet;"
		echo "  after gitlab-ctl reconfigure, run: usermod -a -G $group $user"
	fi
done
if [ -z "$log_group" ] && [ -d /var/log/gitlab/gitlab-rails ]; then
	echo "gitlab-syslog: /etc/gitlab/gitlab.rb sets no logging['log_group']: gitlab-rails logs are readable by git only."
	echo "  Set logging['log_group'] = 'gitlab-logs', run gitlab-ctl reconfigure, then: usermod -a -G gitlab-logs $user"
fi

install -d -o "$user" -g "$user" -m 0750 "$state"

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
	if [ -n "$upgrade" ]; then
		systemctl try-restart gitlab-syslog.service || true
	fi
fi
if [ -z "$upgrade" ]; then
	echo "gitlab-syslog: set forward.url in /etc/gitlab-syslog/config.yaml, check it with"
	echo "  gitlab-syslog check --config /etc/gitlab-syslog/config.yaml"
	echo "  then start the agent: systemctl enable --now gitlab-syslog"
fi
exit 0
