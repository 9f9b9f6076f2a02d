//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestPackagedUnit derives the packaged unit from the real example: the
// binary is /usr/bin's, SupplementaryGroups is gone (a missing group would
// stop the unit from starting), and every other line after [Unit] is the
// example's, in order.
func TestPackagedUnit(t *testing.T) {
	example, err := os.ReadFile("../../examples/gitlab-syslog.service")
	if err != nil {
		t.Fatal(err)
	}
	unit, err := packagedUnit(example)
	if err != nil {
		t.Fatal(err)
	}
	s := string(unit)
	for _, want := range []string{
		"\nExecStart=/usr/bin/gitlab-syslog run --config /etc/gitlab-syslog/config.yaml",
		"\nExecStartPre=-/usr/bin/gitlab-syslog check --config /etc/gitlab-syslog/config.yaml",
		"\nUser=gitlab-syslog\n", "\nStateDirectory=gitlab-syslog\n", "\nProtectSystem=strict\n",
		"\nReadOnlyPaths=-/var/log/gitlab\n", "\n[Install]\nWantedBy=multi-user.target\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("packaged unit lacks %q", want)
		}
	}
	for _, bad := range []string{"/usr/local/bin", "SupplementaryGroups="} {
		if strings.Contains(s, bad) {
			t.Errorf("packaged unit still has %q", bad)
		}
	}
	_, exBody, _ := strings.Cut(string(example), "\n[Unit]\n")
	_, body, _ := strings.Cut(s, "\n[Unit]\n")
	var want []string
	for _, l := range strings.Split(exBody, "\n") {
		if !strings.HasPrefix(l, "SupplementaryGroups=") {
			want = append(want, strings.ReplaceAll(l, "/usr/local/bin/", "/usr/bin/"))
		}
	}
	if got := strings.Split(body, "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("packaged unit body differs from the example beyond the binary path and SupplementaryGroups:\n%s", body)
	}
	if _, err := packagedUnit([]byte("[Service]\nExecStart=/opt/x\n")); err == nil {
		t.Error("a unit without [Unit] was accepted")
	}
	if _, err := packagedUnit([]byte("#\n[Unit]\n[Service]\nExecStart=/opt/x run\n")); err == nil {
		t.Error("a unit that does not run /usr/local/bin/gitlab-syslog was accepted")
	}
}

// TestPackagedConfig derives /etc/gitlab-syslog/config.yaml from the real
// example and loads it with the agent's config package: valid, and the
// values marked "# example" are not set (the hostname defaults to the OS
// one, no metrics listener, no token file), while the rest is kept.
func TestPackagedConfig(t *testing.T) {
	example, err := os.ReadFile("../../examples/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := packagedConfig(example)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatalf("the packaged config does not load: %v", err)
	}
	if c.Hostname != "" || c.Metrics.Listen != "" || c.Streaming.TokenFile != "" {
		t.Errorf("example values survived: hostname %q, metrics.listen %q, streaming.token_file %q", c.Hostname, c.Metrics.Listen, c.Streaming.TokenFile)
	}
	if c.StateDir != stateDir || c.Forward.URL == "" || len(c.Sources) == 0 {
		t.Errorf("settings lost: state_dir %q, forward.url %q, %d sources", c.StateDir, c.Forward.URL, len(c.Sources))
	}
	if !strings.HasPrefix(string(data), configHeader) {
		t.Error("the packaged config does not start with its header")
	}
	for _, l := range strings.Split(string(data), "\n") {
		if exampleLine.MatchString(l) {
			t.Errorf("line still active: %q", l)
		}
	}
	block := "a: 1\nrules:\n  x.y:        # example: z\n    k: [1]\n\n    j: 2\n  w:\n    k: 3\nhost: h # example\nb: 2\n"
	want := configHeader + "a: 1\nrules:\n  # x.y:        # example: z\n    # k: [1]\n\n    # j: 2\n  w:\n    k: 3\n# host: h # example\nb: 2\n"
	if got, err := packagedConfig([]byte(block)); err != nil || string(got) != want {
		t.Errorf("example block:\n got %q (%v)\nwant %q", got, err, want)
	}
	if _, err := packagedConfig([]byte("a: 1\n")); err == nil {
		t.Error("a config without example lines was accepted (the transform would silently do nothing)")
	}
}

func TestDebVersion(t *testing.T) {
	for in, want := range map[string]string{
		"v1.2.3":     "1.2.3",
		"1.2.3":      "1.2.3",
		"v1.2.3-rc1": "1.2.3~rc1",
		"0.0.0-dev":  "0.0.0~dev",
	} {
		if got := debVersion(in); got != want {
			t.Errorf("debVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMissingLicense: a checkout without LICENSE fails before anything is
// built, naming the file.
func TestMissingLicense(t *testing.T) {
	root := t.TempDir()
	_, err := writeAssets(t.Context(), options{root: root}, "/nonexistent", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "LICENSE missing") || !strings.Contains(err.Error(), filepath.Join(root, "LICENSE")) {
		t.Fatalf("err = %v, want LICENSE missing naming %s", err, filepath.Join(root, "LICENSE"))
	}
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--out DIR is required"},
		{[]string{"--out", "x", "--format", "apk"}, `--format "apk"`},
		{[]string{"--out", "x", "extra"}, "unexpected arguments"},
	} {
		var stdout, stderr strings.Builder
		err := run(t.Context(), tc.args, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run %q: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}
