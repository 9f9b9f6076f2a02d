package config_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestComponentsDoNotImportYAML asserts that the components whose
// configuration types this package composes (they carry the yaml tags of
// their keys) stay usable without the YAML library: only the agent's
// configuration decodes YAML.
func TestComponentsDoNotImportYAML(t *testing.T) {
	const module, yaml = "github.com/gitlab-syslog/gitlab-syslog/", "go.yaml.in/yaml/v3"
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", module+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		return strings.Fields(string(out))
	}
	// The check must be able to fail: this package does import it.
	if !slices.Contains(deps("internal/config"), yaml) {
		t.Fatalf("go list -deps internal/config does not list %s; the check below would pass vacuously", yaml)
	}
	for _, pkg := range []string{"forwarder", "tailer", "internal/detect", "internal/streaming", "parser"} {
		if slices.Contains(deps(pkg), yaml) {
			t.Errorf("%s imports %s (go list -deps ./%s); a component's config carries yaml tags, the decoding is internal/config's", pkg, yaml, pkg)
		}
	}
}
