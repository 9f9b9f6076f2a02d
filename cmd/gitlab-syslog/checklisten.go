package main

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/inputs"
	"github.com/gitlab-syslog/gitlab-syslog/internal/statelock"
)

// listenProblems returns a problem for each TCP address c has run listen
// on (metrics.listen, streaming.listen, each input's listen) where another
// process listens already: run would not start. Nothing is tried while a process holds
// the lock of c's state_dir (statelock.Held): the agent running on it, most
// likely on this very configuration, listens there itself.
func listenProblems(c *config.Config) []error {
	if statelock.Held(c.StateDir) {
		return nil
	}
	var problems []error
	type listener struct{ key, addr string }
	ls := []listener{{"metrics.listen", c.Metrics.Listen}, {"streaming.listen", c.Streaming.Listen}}
	for i, in := range c.Inputs {
		if sc, err := inputs.ParseListen(in.Listen); err == nil && in.Listen != "" {
			ls = append(ls, listener{fmt.Sprintf("inputs[%d].listen", i), sc.Addr})
		}
	}
	for _, l := range ls {
		if l.addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", l.addr)
		if err == nil {
			ln.Close()
			continue
		}
		if errors.Is(err, syscall.EADDRINUSE) {
			problems = append(problems, problemAt(c, l.key, l.addr+": another process listens there (address already in use), so run would not start: stop it, or give another port"))
		}
	}
	return problems
}
