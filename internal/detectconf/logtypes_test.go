package detectconf

import (
	"slices"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

func TestLogTypes(t *testing.T) {
	src := func(typ, format string) config.Source { return config.Source{Type: typ, Path: "/x", Format: format} }
	for _, tc := range []struct {
		name string
		c    config.Config
		want []parser.Type // nil: any
	}{
		{"no sources yet: the defaults", config.Config{}, nil},
		{"audit", config.Config{Sources: []config.Source{src("audit", "plain")}}, []parser.Type{parser.TypeAudit}},
		{"sorted, once each", config.Config{Sources: []config.Source{src("access", ""), src("audit", "plain"), src("access", "plain")}},
			[]parser.Type{parser.TypeAudit, parser.TypeAccess}},
		{"streaming delivers audit", config.Config{Sources: []config.Source{src("access", "plain")}, Streaming: config.Streaming{Listen: ":8443"}},
			[]parser.Type{parser.TypeAudit, parser.TypeAccess}},
		{"a source without a type: any", config.Config{Sources: []config.Source{src("audit", "plain"), src("", "cri")}}, nil},
		{"a container format: any", config.Config{Sources: []config.Source{src("audit", "docker")}}, nil},
		{"network inputs: any", config.Config{Sources: []config.Source{src("audit", "plain")}, Inputs: []config.Input{{Listen: ":6514"}}}, nil},
		{"an input without listen is off", config.Config{Sources: []config.Source{src("audit", "plain")}, Inputs: []config.Input{{}}}, []parser.Type{parser.TypeAudit}},
	} {
		if got := LogTypes(&tc.c); !slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("%s: LogTypes = %v, want %v", tc.name, got, tc.want)
		}
	}
}
