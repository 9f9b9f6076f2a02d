// Command gitlab-syslog ships GitLab's security logs (audit, application,
// NGINX access and Rack::Attack auth) to a SIEM as RFC 5424 syslog, and
// parses them on the command line.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gitlab-syslog:", err)
		os.Exit(1)
	}
}
