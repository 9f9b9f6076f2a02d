package agent

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestReloadLogsDetectionChanges: the line a reload logs about the
// detections says what changed (rules turned on or off, severities and
// parameters changed, the engine's settings, or that no rule changed) and
// names the TI file in use with its number of indicators. Each step
// reloads the running agent with the rules of the step and checks the
// attributes of the reload's detections line.
func TestReloadLogsDetectionChanges(t *testing.T) {
	dir := t.TempDir()
	audit, ti := filepath.Join(dir, "audit_json.log"), filepath.Join(dir, "ti.txt")
	appendLine(t, audit, patLine(1, 601))
	appendLine(t, ti, "203.0.113.0/24")
	// the TI rule alerts on the access log, bruteforce on the application log
	c := newConfig(t, "stdout://", config.Source{Type: "audit", Path: audit},
		config.Source{Type: "access", Path: filepath.Join(dir, "gitlab_access.log")},
		config.Source{Type: "application", Path: filepath.Join(dir, "application_json.log")})
	tiRule := config.RuleConfig{Params: map[string]string{"ti_file": ti}}
	off := false
	c.Detections.Rules = map[string]config.RuleConfig{"sentinel.ti_malicious_ip": tiRule}
	var logs syncBuffer
	a, err := New(c, Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Stdout: new(syncBuffer)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	waitFor(t, "the detections", 10*time.Second, func() bool { return strings.Contains(logs.String(), `"msg":"detections on"`) })

	tiAttrs := func(n float64) map[string]any {
		return map[string]any{"sentinel.ti_malicious_ip": map[string]any{"file": ti, "indicators": n}}
	}
	with := func(m map[string]any, kv ...any) map[string]any {
		m = maps.Clone(m)
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	for _, step := range []struct {
		name    string
		ti      string // the TI file's content from the reload on; "": unchanged
		rules   map[string]config.RuleConfig
		save    time.Duration // state_save_interval; 0: the default
		wantMsg string
		want    map[string]any // the line's attributes but time, level and msg
	}{
		{
			name:    "unchanged block, TI file rewritten",
			ti:      "203.0.113.0/24\n198.51.100.0/24\n",
			rules:   map[string]config.RuleConfig{"sentinel.ti_malicious_ip": tiRule},
			wantMsg: "reload: detections unchanged, rules' files reread",
			want:    tiAttrs(2),
		},
		{
			name:    "a rule off, a severity changed",
			rules:   map[string]config.RuleConfig{"sentinel.ti_malicious_ip": tiRule, "falco.pat_created": {Enabled: &off}, "sentinel.bruteforce": {Severity: "High"}},
			wantMsg: "reload: detections rebuilt",
			want:    with(tiAttrs(2), "rules_off", "falco.pat_created", "severity_changed", "sentinel.bruteforce Medium→High"),
		},
		{
			name:    "the rule on again, parameters changed, TI file with 3 indicators",
			ti:      "203.0.113.0/24\n198.51.100.0/24\n192.0.2.1\n",
			rules:   map[string]config.RuleConfig{"sentinel.ti_malicious_ip": tiRule, "sentinel.bruteforce": {Severity: "High", Params: map[string]string{"min_count": "7"}}},
			wantMsg: "reload: detections rebuilt",
			want:    with(tiAttrs(3), "rules_on", "falco.pat_created", "params_changed", "sentinel.bruteforce"),
		},
		{
			name:    "only the save interval",
			rules:   map[string]config.RuleConfig{"sentinel.ti_malicious_ip": tiRule, "sentinel.bruteforce": {Severity: "High", Params: map[string]string{"min_count": "7"}}},
			save:    30 * time.Second,
			wantMsg: "reload: detections rebuilt",
			want:    with(tiAttrs(3), "rules", "unchanged", "settings_changed", "state_save_interval 1m0s→30s"),
		},
		{
			name: "a rule off",
			rules: map[string]config.RuleConfig{"sentinel.ti_malicious_ip": tiRule, "sentinel.bruteforce": {Severity: "High", Params: map[string]string{"min_count": "7"}},
				"sentinel.pat_over_time": {Enabled: &off}},
			save:    30 * time.Second,
			wantMsg: "reload: detections rebuilt",
			want:    with(tiAttrs(3), "rules_off", "sentinel.pat_over_time"),
		},
		{ // fresh-user trial 136: the line said nothing of the change
			name: "a parameter of the rule that is off",
			rules: map[string]config.RuleConfig{"sentinel.ti_malicious_ip": tiRule, "sentinel.bruteforce": {Severity: "High", Params: map[string]string{"min_count": "7"}},
				"sentinel.pat_over_time": {Enabled: &off, Params: map[string]string{"min_tokens": "3"}}},
			save:    30 * time.Second,
			wantMsg: "reload: detections rebuilt",
			want:    with(tiAttrs(3), "params_changed_of_rules_off", "sentinel.pat_over_time"),
		},
	} {
		if step.ti != "" {
			if err := os.WriteFile(ti, []byte(step.ti), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		nc := *c
		nc.Detections.Rules = step.rules
		nc.Detections.StateSaveInterval = c.Detections.StateSaveInterval
		if step.save != 0 {
			nc.Detections.StateSaveInterval = step.save
		}
		before := len(logs.String())
		if err := a.Reload(ctx, &nc); err != nil {
			t.Fatal(err)
		}
		var got []map[string]any
		for _, l := range strings.Split(logs.String()[before:], "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) != nil || !strings.HasPrefix(m["msg"].(string), "reload: detections") {
				continue
			}
			delete(m, "time")
			delete(m, "level")
			got = append(got, m)
		}
		want := with(step.want, "msg", step.wantMsg)
		if len(got) != 1 || !equalJSON(got[0], want) {
			t.Errorf("%s: the reload logged %v, want one line %v", step.name, got, want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// equalJSON reports whether a and b, decoded JSON objects, are equal.
func equalJSON(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestRemovedSources(t *testing.T) {
	src := func(paths ...string) []config.Source {
		var ss []config.Source
		for _, p := range paths {
			ss = append(ss, config.Source{Type: "audit", Path: p})
		}
		return ss
	}
	for _, c := range []struct {
		name     string
		old, nu  []config.Source
		wantGone []string
	}{
		{"unchanged", src("/l/a.log", "/l/b.log"), src("/l/b.log", "/l/a.log"), nil},
		{"one removed", src("/l/a.log", "/l/b.log"), src("/l/b.log"), []string{"/l/a.log"}},
		{"same path written differently", src("/l/./a.log"), src("/l/a.log"), nil},
		{"replaced", src("/l/a.log"), src("/l/c.log"), []string{"/l/a.log"}},
		{"glob removed", src("/l/*.log", "/l/b.log"), src("/l/b.log"), []string{"/l/*.log"}},
		{"all removed", src("/l/a.log"), nil, []string{"/l/a.log"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, s := range removedSources(c.old, c.nu) {
				got = append(got, s.Path)
			}
			if !slices.Equal(got, c.wantGone) {
				t.Errorf("removedSources = %q, want %q", got, c.wantGone)
			}
		})
	}
}
