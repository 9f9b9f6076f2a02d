package metrics

import (
	"fmt"
	"testing"
)

func TestParsePromQL(t *testing.T) {
	for _, tc := range []struct {
		expr     string
		want     string // fmt of the selectors and grouping
		wantFail bool
	}{
		{`sum by (type, path) (rate(gitlab_syslog_lines_read_total{instance=~"$instance", path=~"$path"}[$__rate_interval]))`,
			`[{gitlab_syslog_lines_read_total [instance path]}] [type path]`, false},
		{`sum(rate(a_total[5m])) by (x) / ignoring(y) group_left(z) b offset 1h > bool 0`,
			`[{a_total []} {b []}] [x y z]`, false},
		{`max without (le) (histogram_quantile(0.9, rate(h_bucket{job="j"}[5m])))`,
			`[{h_bucket [job]}] [le]`, false},
		{`label_values(gitlab_syslog_lines_read_total{instance=~"$instance"}, path)`,
			`[{gitlab_syslog_lines_read_total [instance]}] [path]`, false},
		{`label_values(instance)`, `[] [instance]`, false},
		{`x{a="b,c}"} and on() y`, `[{x [a]} {y []}] []`, false},
		{`{__name__="x"}`, "", true},
		{`x{a="b`, "", true},
		{`x{a="b"`, "", true},
		{`rate(x[5m]) # comment`, "", true},
	} {
		qs, err := parsePromQL(tc.expr)
		if tc.wantFail {
			if err == nil {
				t.Errorf("%s: parsed as %v, want an error", tc.expr, qs)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got := fmt.Sprint(qs.selectors, " ", qs.grouping); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.expr, got, tc.want)
		}
	}
}
