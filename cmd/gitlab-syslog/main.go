// Command gitlab-syslog ships GitLab's security logs (audit, application,
// NGINX access and Rack::Attack auth) to a SIEM as RFC 5424 syslog, and
// parses them on the command line.
package main

import (
	"context"
	"errors"
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
		fmt.Fprintln(os.Stderr, "gitlab-syslog:", exitMessage(ctx, err))
		os.Exit(1)
	}
}

// exitMessage returns the text main prints for err, the error a command
// returned: err itself, its Short text when it has one (an error whose
// details the command printed already: check's problems), or, when err is the cancellation of ctx (the
// first SIGINT or SIGTERM), a sentence saying the command was interrupted
// and that what it printed covers only the input read until then.
func exitMessage(ctx context.Context, err error) string {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return fmt.Sprintf("interrupted (SIGINT or SIGTERM): stopped before the end of the input; what was printed covers only the lines read until then (%v)", err)
	}
	var short interface{ Short() string } // an error whose details the command printed
	if errors.As(err, &short) {
		return short.Short()
	}
	return err.Error()
}
