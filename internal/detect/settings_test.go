package detect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadSettings(t *testing.T) {
	p := writeConfig(t, `forward:
  url: udp://127.0.0.1:514
detections:
  lateness: 5m
  params:
    allowed_domains: [corp.example, example.org]
  rules:
    sentinel.ti_malicious_ip:
      enabled: true
      severity: High
      ti_file: /etc/ti.txt
    falco.admin_impersonation:
      enabled: false
`)
	s, err := LoadSettings(p)
	if err != nil {
		t.Fatal(err)
	}
	if s.Lateness != 5*time.Minute || s.Params["allowed_domains"] != "corp.example,example.org" {
		t.Errorf("lateness %v params %v", s.Lateness, s.Params)
	}
	ti := s.Rules["sentinel.ti_malicious_ip"]
	if ti.Enabled == nil || !*ti.Enabled || ti.Severity != "High" || ti.Params["ti_file"] != "/etc/ti.txt" {
		t.Errorf("ti rule = %+v", ti)
	}
	if s.Lines["rules.sentinel.ti_malicious_ip.ti_file"] != 11 {
		t.Errorf("line of ti_file = %d, want 11", s.Lines["rules.sentinel.ti_malicious_ip.ti_file"])
	}
	cfg := Config{Params: map[string]string{"allowed_domains": "cli.example"}}
	s.Apply(&cfg)
	if cfg.Params["allowed_domains"] != "cli.example" || cfg.Lateness != 5*time.Minute || *cfg.Rules["falco.admin_impersonation"].Enabled {
		t.Errorf("Apply: --param must win over the file; got %+v", cfg)
	}
}

func TestLoadSettingsErrors(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{"detections:\n  lateness: soon\n", ":2: detections.lateness: want a positive duration"},
		{"detections:\n  rules:\n    falco.pat_created:\n      severity: urgent\n", `:4: detections.rules.falco.pat_created.severity: unknown severity "urgent"`},
		{"detections:\n  rules:\n    falco.pat_created:\n      enabled: maybe\n", ":4: detections.rules.falco.pat_created.enabled: want true or false"},
		{"detections:\n  colour: red\n", ":2: detections.colour: unknown key"},
		{"detections:\n  params:\n    x: {a: 1}\n", ":3: detections.params.x: want a scalar or a list of scalars"},
	}
	for _, tt := range tests {
		p := writeConfig(t, tt.body)
		_, err := LoadSettings(p)
		if err == nil || !strings.Contains(err.Error(), p+tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.body, err, p+tt.want)
		}
	}
}
