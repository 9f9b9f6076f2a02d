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
// on (metrics.listen, streaming.listen, each input's listen) where this
// process cannot listen: another process listens there, no interface of
// this host has the address, the name does not resolve, the port is
// below 1024 and this user may not bind it: run would not start. Nothing
// is tried while a process holds the lock of c's state_dir
// (statelock.Held): the agent running on it, most likely on this very
// configuration, listens there itself. With once (run --once), only
// metrics.listen is: run --once reads the inputs' and the receiver's
// spools, and listens on neither.
func listenProblems(c *config.Config, once bool) []error {
	if statelock.Held(c.StateDir) {
		return nil
	}
	return listenOn(c, listeners(c, once))
}

// restartListenProblems returns listenProblems' problems of the addresses
// next has run listen on whose port the running agent, started with
// running, does not listen on: a reload keeps the running listeners, so
// next's addresses are first listened on at the next restart, which they
// would stop (fresh-user trial 271: a reload took an address in use
// without a word, and the restart after it failed). One on a port the
// agent holds is not tried: it would be refused as in use by the agent
// itself.
func restartListenProblems(running, next *config.Config) []error {
	held := map[string]bool{}
	for _, l := range listeners(running, false) {
		held[port(l.addr)] = true
	}
	var ls []listener
	for _, l := range listeners(next, false) {
		if !held[port(l.addr)] {
			ls = append(ls, l)
		}
	}
	return listenOn(next, ls)
}

// port returns the port of the host:port address addr; addr when it has
// none.
func port(addr string) string {
	if _, p, err := net.SplitHostPort(addr); err == nil {
		return p
	}
	return addr
}

// listeners returns the TCP addresses c has run listen on (with once, as
// run --once: metrics.listen only), with their keys; "" for one not set.
func listeners(c *config.Config, once bool) []listener {
	ls := []listener{{"metrics.listen", c.Metrics.Listen}}
	if once { // run --once reads their spools, and listens on neither
		return ls
	}
	ls = append(ls, listener{"streaming.listen", c.Streaming.Listen})
	for i, in := range c.Inputs {
		if sc, err := inputs.ParseListen(in.Listen); err == nil && in.Listen != "" {
			ls = append(ls, listener{fmt.Sprintf("inputs[%d].listen", i), sc.Addr})
		}
	}
	return ls
}

// listener is an address run listens on and its key in the configuration.
type listener struct{ key, addr string }

// listenOn returns listenProblems' problems of the addresses ls.
func listenOn(c *config.Config, ls []listener) []error {
	var problems []error
	for _, l := range ls {
		if l.addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", l.addr)
		if err == nil {
			ln.Close()
			continue
		}
		if why := listenFault(err); why != "" {
			problems = append(problems, problemAt(c, l.key, l.addr+": "+why))
		}
	}
	return problems
}

// listenFault returns, for the error of a listen on a TCP address, why run
// could not listen there and what to do; "" for an error that says nothing
// of the address (none is expected).
func listenFault(err error) string {
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return "another process listens there (address already in use), so run would not start: stop it, or give another port"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "no interface of this host has that address (cannot assign requested address), so run would not start: give one of this host's addresses, or 0.0.0.0 for all"
	case errors.As(err, &dns):
		return fmt.Sprintf("the name does not resolve (%v), so run would not start: give an address of this host, or a name that resolves to one", dns.Err)
	case errors.Is(err, syscall.EACCES):
		return "this user may not listen on a port below 1024 (permission denied), so run would not start: give a port of 1024 or above, or the service CAP_NET_BIND_SERVICE (AmbientCapabilities=CAP_NET_BIND_SERVICE in its unit)"
	}
	return ""
}
