package config

import (
	"errors"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/internal/inputs"
)

// InputsOn returns the inputs whose listen is set (an empty listen turns
// an input off).
func (c *Config) InputsOn() []Input {
	var on []Input
	for _, in := range c.Inputs {
		if in.Listen != "" {
			on = append(on, in)
		}
	}
	return on
}

// InputWarnings returns a warning for each inputs item whose listen is
// empty, but for a template (isTemplate). Such an item is off (InputsOn
// leaves it out): it does not listen and its other keys are not used,
// only their types checked (an unknown key is still a mistake), which an
// item written with its address left blank or still to fill in does not
// mean. A template, such as the one of the packaged configuration
// (examples/config.yaml), says nothing that goes unused.
// An idle_timeout written as 0 is warned of too: it means the default
// (inputs.DefaultIdleTimeout), not "never", which one may read it as.
// Each warning begins with where the key is (FILE:LINE: inputs[i].listen)
// and says what to do; check prints them and run logs them at start.
func (c *Config) InputWarnings() []string {
	var warns []string
	for i, in := range c.Inputs {
		if key := "inputs[" + strconv.Itoa(i) + "].idle_timeout"; in.Listen != "" && in.IdleTimeout == 0 && c.Line(key) > 0 {
			warns = append(warns, c.Where(key)+": 0 means the default, "+inputs.DefaultIdleTimeout.String()+
				": a connection that sends nothing for that long is closed (its client reconnects); no value keeps a silent connection open for ever: give a longer duration (e.g. 24h), or remove the key")
		}
		if in.Listen == "" && !c.isTemplate(i) {
			warns = append(warns, c.Where("inputs["+strconv.Itoa(i)+"].listen")+
				": empty, so this input is off: it does not listen, and its other keys are not used, and only their types are checked; give the address to listen on (a URL such as tcp://0.0.0.0:6514 or relp://0.0.0.0:2514), or remove the item")
		}
	}
	return warns
}

// isTemplate reports whether inputs item i gives listen (as "") and every
// other key of it is empty or holds its default (inputs.Config's), so
// that the item, off, says nothing that goes unused.
func (c *Config) isTemplate(i int) bool {
	in := c.Inputs[i]
	return c.Line("inputs["+strconv.Itoa(i)+"].listen") > 0 && in.TLS == (inputs.TLSFiles{}) &&
		(in.MaxMessageBytes == 0 || in.MaxMessageBytes == inputs.DefaultMaxMessageBytes) &&
		(in.MaxConnections == 0 || in.MaxConnections == inputs.DefaultMaxConnections) &&
		(in.IdleTimeout == 0 || in.IdleTimeout == inputs.DefaultIdleTimeout) &&
		(in.Other == "" || in.Other == inputs.OtherForward)
}

// resolveInputs sets every input's spool_dir to <state_dir>/inputs.
func (c *Config) resolveInputs() {
	for i := range c.Inputs {
		if c.Inputs[i].SpoolDir == "" {
			c.Inputs[i].SpoolDir = filepath.Join(c.StateDir, "inputs")
		}
	}
}

// inputs checks the inputs list: each entry as inputs.Config.Check does,
// two entries on one address (listenersClash), an input on the metrics or
// streaming port, and an input forward.url sends to (sendsToListener): a
// loop.
func (v *validator) inputs() {
	c := v.c
	var seen []string // the inputs' addresses, by index; "" for one off or that does not parse
	dest := forwardAddr(c.Forward.URL)
	for i := range c.Inputs {
		in := &c.Inputs[i]
		p := "inputs[" + strconv.Itoa(i) + "]"
		seen = append(seen, "")
		if in.Listen == "" {
			continue // off
		}
		if err := in.Check(); err != nil {
			errs := []error{err}
			if j, ok := err.(interface{ Unwrap() []error }); ok { // several (errors.Join)
				errs = j.Unwrap()
			}
			for _, e := range errs {
				key := p
				if ke, ok := errors.AsType[*inputs.KeyError](e); ok {
					key += "." + ke.Key
				}
				v.errf(key, "%s", strings.TrimPrefix(e.Error(), "inputs: "))
			}
		}
		sc, err := inputs.ParseListen(in.Listen)
		if err != nil {
			continue // reported by Check
		}
		if j := slices.IndexFunc(seen[:i], func(a string) bool { return a != "" && listenersClash(a, sc.Addr) }); j >= 0 {
			v.errf(p+".listen", "%s is the address of inputs[%d] too; give each input its own port", sc.Addr, j)
		}
		seen[i] = sc.Addr
		if dest != "" && sendsToListener(dest, sc.Addr) {
			v.errf(p+".listen", "%s is where forward.url %s sends: the agent would receive its own messages and send them again, forever, filling the input's spool; forward to another agent's input, or give this input another port", in.Listen, RedactedURL(c.Forward.URL))
		}
		for _, o := range []struct{ key, addr string }{{"metrics.listen", c.Metrics.Listen}, {"streaming.listen", c.Streaming.Listen}} {
			if o.addr != "" && listenersClash(o.addr, sc.Addr) {
				v.errf(p+".listen", "%s and %s %q are the same port; give the input another port", in.Listen, o.key, o.addr)
			}
		}
	}
}

// forwardAddr returns the host:port a TCP-based forward URL (tcp, tls,
// relp, relp+tls) sends to, "" for another scheme, a URL without a port,
// or one that does not parse.
func forwardAddr(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Port() == "" {
		return ""
	}
	switch u.Scheme {
	case "tcp", "tls", "relp", "relp+tls":
		return u.Host
	}
	return ""
}

// StreamingWarnings returns what run logs and check prints about the
// streaming block as WARN lines, each naming its file and line: a block
// that sets keys (tokens, TLS, a spool directory) without listen, which
// leaves the receiver off and those keys unused, so that GitLab's events
// are refused by nothing listening (fresh-user trial 283: check said
// "streaming: off" and "valid").
func (c *Config) StreamingWarnings() []string {
	if c.Streaming.Listen != "" || c.Line("streaming.listen") > 0 {
		return nil // on, or listen given empty on purpose
	}
	for _, k := range []string{"tokens", "token_file", "token_env", "tls", "spool_dir", "max_body", "path", "dedupe_window"} {
		if key := "streaming." + k; c.Line(key) > 0 {
			return []string{c.Where(key) + ": the streaming block has no listen, so the receiver is off and its other keys are not used: GitLab's events find nothing listening; give listen (e.g. 0.0.0.0:8443), or remove the block"}
		}
	}
	return nil
}
