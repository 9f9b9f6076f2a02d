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
	// The first SIGINT or SIGTERM cancels ctx: the command stops cleanly
	// (run flushes and saves its checkpoints). Then the signals get their
	// default action back, so that a second Ctrl-C ends a command that
	// takes long to stop (a collector that reads nothing) at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gitlab-syslog:", err)
		os.Exit(1)
	}
}
