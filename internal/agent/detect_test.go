package agent

import "github.com/gitlab-syslog/gitlab-syslog/forwarder"

const appNameDetections = forwarder.AppNameDetections
