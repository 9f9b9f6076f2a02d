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
	"time"
)

func main() {
	// The first SIGINT or SIGTERM cancels ctx: the command stops cleanly
	// (run flushes and saves its checkpoints). A second one ends a command
	// that takes long to stop (a collector that reads nothing) at once,
	// saying so (exitOnSecondSignal).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, func() {
		stop()
		exitOnSecondSignal(os.Stderr)
	})
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		if msg := exitMessage(ctx, err, sameFile(os.Stdout, os.Stderr)); msg != "" {
			fmt.Fprintln(os.Stderr, "gitlab-syslog:", msg)
		}
		os.Exit(1)
	}
}

// exitOnSecondSignal makes the next SIGINT or SIGTERM end the process at
// once: it writes to w a line saying that the stop was cut short and what
// that leaves undone, then lets the signal's default action end the
// process, so that its exit status is the signal's (as a shell and
// systemd expect).
func exitOnSecondSignal(w *os.File) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-c
		fmt.Fprintf(w, "gitlab-syslog: second signal (%v) during the stop: exiting at once, without waiting for the collector or saving again; run reads the lines after its last saved checkpoints again at its next start\n", sig)
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			p.Signal(sig)
		}
		time.Sleep(time.Second) // the signal ends the process; os.Exit only if it did not
		os.Exit(1)
	}()
}

// exitMessage returns the text main prints for err, the error a command
// returned: err itself; for an error whose details the command printed
// already, ending with its verdict on standard output (check's problems),
// its Short text, or "" when shared says that standard output and
// standard error are the same file (a terminal, 2>&1): the verdict,
// which says it, is then the last line the user sees; or, when err is the
// cancellation of ctx (the first SIGINT or SIGTERM), a sentence saying
// the command was interrupted and that what it printed covers only the
// input read until then.
func exitMessage(ctx context.Context, err error, shared bool) string {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return fmt.Sprintf("interrupted (SIGINT or SIGTERM): stopped before the end of the input; what was printed covers only the lines read until then (%v)", err)
	}
	var short interface{ Short() string } // an error whose details the command printed
	if errors.As(err, &short) {
		if shared {
			return ""
		}
		return short.Short()
	}
	return err.Error()
}

// sameFile reports whether a and b are open on the same file (the same
// terminal, or one pipe or file for both); false when either cannot be
// examined.
func sameFile(a, b *os.File) bool {
	fa, err := a.Stat()
	if err != nil {
		return false
	}
	fb, err := b.Stat()
	return err == nil && os.SameFile(fa, fb)
}
