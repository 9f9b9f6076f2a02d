package config

import (
	"errors"
	"path/filepath"
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

// resolveInputs sets every input's spool_dir to <state_dir>/inputs.
func (c *Config) resolveInputs() {
	for i := range c.Inputs {
		if c.Inputs[i].SpoolDir == "" {
			c.Inputs[i].SpoolDir = filepath.Join(c.StateDir, "inputs")
		}
	}
}

// inputs checks the inputs list: each entry as inputs.Config.Check does,
// two entries on one address, and an input on the metrics or streaming
// port.
func (v *validator) inputs() {
	c := v.c
	seen := map[string]int{}
	for i := range c.Inputs {
		in := &c.Inputs[i]
		p := "inputs[" + strconv.Itoa(i) + "]"
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
		if j, dup := seen[sc.Addr]; dup {
			v.errf(p+".listen", "%s is the address of inputs[%d] too; give each input its own port", sc.Addr, j)
		}
		seen[sc.Addr] = i
		for _, o := range []struct{ key, addr string }{{"metrics.listen", c.Metrics.Listen}, {"streaming.listen", c.Streaming.Listen}} {
			if o.addr != "" && listenersClash(o.addr, sc.Addr) {
				v.errf(p+".listen", "%s and %s %q are the same port; give the input another port", in.Listen, o.key, o.addr)
			}
		}
	}
}
