package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
)

// TestCheckCertDates: check refuses a client certificate (forward.tls) or
// an input's server certificate that has expired or is not valid yet,
// which every TLS connection would refuse, naming the file, its dates and
// what to do (fresh-user trial 91: a certificate expired in 2020 passed
// check, "valid").
func TestCheckCertDates(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name             string
		notBefore, after time.Time
		want             string // in the error; "" passes
	}{
		{"expired", time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), "expired at 2020-01-01 00:00:00 UTC (valid from 2019-01-01 00:00:00 UTC): every TLS connection with it is refused; give a renewed certificate"},
		{"not valid yet", now.Add(48 * time.Hour), now.Add(96 * time.Hour), "is not valid before "},
		{"valid", now.Add(-time.Hour), now.Add(time.Hour), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cert, key, err := testcert.WriteSelfSigned(dir, "node", tc.notBefore, tc.after)
			if err != nil {
				t.Fatal(err)
			}
			for _, block := range []string{
				"forward:\n  url: tls://127.0.0.1:6514\n  tls:\n    cert_file: " + cert + "\n    key_file: " + key + "\n",
				"forward: {url: 'stdout://'}\ninputs:\n  - listen: tls://127.0.0.1:0\n    tls:\n      cert_file: " + cert + "\n      key_file: " + key + "\n",
			} {
				cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\n"+block)
				out, err := execute(t, "check", "--config", cfg)
				switch {
				case tc.want == "" && err != nil:
					t.Errorf("check failed with a valid certificate: %v\n%s", err, out)
				case tc.want != "" && (err == nil || !strings.Contains(out, "cert_file "+cert+" ") || !strings.Contains(out, tc.want)):
					t.Errorf("check: %v; want a problem with %q:\n%s", err, tc.want, out)
				}
			}
		})
	}
}
