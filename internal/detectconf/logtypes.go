package detectconf

import (
	"slices"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// LogTypes returns the logs the sources and inputs of c (resolved: see
// config.Config.Resolve) can deliver, for detect.Config.Types: the types
// of its sources, and audit for the streaming receiver, in ascending order
// (two configurations deliver the same logs when the results are equal).
// It returns nil (any log) when c has network inputs (their messages carry
// any log), a source without a type or in a container format (its lines
// are typed one by one), or no sources yet (Resolve gives the default
// ones).
func LogTypes(c *config.Config) []parser.Type {
	if c.Sources == nil || len(c.InputsOn()) > 0 {
		return nil
	}
	var out []parser.Type
	add := func(t parser.Type) {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	for _, s := range c.Sources {
		t, err := parser.ParseType(s.Type)
		if err != nil || (s.Format != "" && s.Format != "plain") {
			return nil
		}
		add(t)
	}
	if c.Streaming.Listen != "" {
		add(parser.TypeAudit)
	}
	slices.Sort(out)
	return out
}
