package main

import (
	"bytes"
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionOf checks where the version comes from (-ldflags, then the
// module version, never "(devel)") and that every form of the output (the
// version command's text and --json, and the root's --version) carries the
// revision, the modified flag and the commit time.
func TestVersionOf(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "4696ccf0b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6"},
		{Key: "vcs.time", Value: "2026-11-29T07:31:32Z"},
		{Key: "vcs.modified", Value: "true"},
		{Key: "GOOS", Value: "linux"},
		{Key: "GOARCH", Value: "arm64"},
	}
	tests := []struct {
		name, ldflags string
		bi            *debug.BuildInfo
		want          buildVersion
		wantText      string
	}{
		{
			name: "go install module@version", ldflags: "dev",
			bi:       &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}, Settings: vcs},
			want:     buildVersion{Version: "v1.4.0", Revision: "4696ccf0b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6", Modified: true, Time: "2026-11-29T07:31:32Z", Go: "go1.26.8", OS: "linux", Arch: "arm64"},
			wantText: "gitlab-syslog v1.4.0 (revision 4696ccf0b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6, modified, 2026-11-29T07:31:32Z) go1.26.8 linux/arm64\n",
		},
		{
			name: "ldflags wins", ldflags: "v1.5.0-rc1",
			bi:       &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}, Settings: vcs[:3]},
			want:     buildVersion{Version: "v1.5.0-rc1", Revision: "4696ccf0b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6", Time: "2026-11-29T07:31:32Z", Go: "go1.26.8"},
			wantText: "gitlab-syslog v1.5.0-rc1 (revision 4696ccf0b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6, 2026-11-29T07:31:32Z) go1.26.8",
		},
		{
			name: "checkout build", ldflags: "dev",
			bi:       &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs[:3]},
			want:     buildVersion{Version: "dev", Revision: "4696ccf0b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6", Time: "2026-11-29T07:31:32Z", Go: "go1.26.8"},
			wantText: "gitlab-syslog dev (revision 4696ccf0b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6, 2026-11-29T07:31:32Z)",
		},
		{
			name: "no build info", ldflags: "dev",
			want:     buildVersion{Version: "dev"},
			wantText: "gitlab-syslog dev (revision unknown)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := versionOf(tc.ldflags, tc.bi)
			// The platform defaults to the running one unless the build info names it.
			if tc.want.OS == "" {
				tc.want.OS, tc.want.Arch = got.OS, got.Arch
			}
			if tc.want.Go == "" {
				tc.want.Go = got.Go
			}
			if got != tc.want {
				t.Fatalf("versionOf = %+v\nwant         %+v", got, tc.want)
			}
			var text, js bytes.Buffer
			if err := writeVersion(&text, got, false); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(text.String(), tc.wantText) {
				t.Errorf("text = %q; want it to start with %q", text.String(), tc.wantText)
			}
			if want := "gitlab-syslog " + got.short() + " "; !strings.HasPrefix(text.String(), want) {
				t.Errorf("text %q does not carry the --version form %q", text.String(), want)
			}
			if err := writeVersion(&js, got, true); err != nil {
				t.Fatal(err)
			}
			var back buildVersion
			if err := json.Unmarshal(js.Bytes(), &back); err != nil || back != got {
				t.Errorf("--json = %s (%v); want %+v", js.String(), err, got)
			}
		})
	}
}

// TestVersionCommandForms runs `version`, `version --json` and `--version`
// and checks that they agree on the version and revision of this binary.
func TestVersionCommandForms(t *testing.T) {
	v := currentVersion()
	text, err := execute(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	short, err := execute(t, "--version")
	if err != nil {
		t.Fatal(err)
	}
	js, err := execute(t, "version", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var back buildVersion
	if err := json.Unmarshal([]byte(js), &back); err != nil || back != v {
		t.Errorf("version --json = %s (%v); want %+v", js, err, v)
	}
	want := "gitlab-syslog " + v.short()
	for _, out := range []string{text, short} {
		if !strings.HasPrefix(out, want) {
			t.Errorf("output %q; want it to start with %q", out, want)
		}
	}
}
