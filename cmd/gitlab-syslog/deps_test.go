package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestShippedBinaryHasNoTestTooling asserts that the gitlab-syslog binary
// links no package under internal/testing (collectors, load generators,
// throw-away certificates) and not the benchmark harness.
func TestShippedBinaryHasNoTestTooling(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps .: %v\n%s", err, out)
	}
	const module = "github.com/gitlab-syslog/gitlab-syslog/"
	deps := strings.Fields(string(out))
	var product int
	for _, p := range deps {
		if !strings.HasPrefix(p, module) {
			continue
		}
		product++
		rel := strings.TrimPrefix(p, module)
		if rel == "internal/testing" || strings.HasPrefix(rel, "internal/testing/") || strings.HasPrefix(rel, "cmd/gitlab-syslog-bench") {
			t.Errorf("the shipped binary imports test tooling %s (go list -deps ./cmd/gitlab-syslog)", p)
		}
	}
	// The list must be the real one: the binary links the agent and the
	// parser at least.
	for _, want := range []string{module + "internal/agent", module + "parser"} {
		if !slices.Contains(deps, want) {
			t.Errorf("go list -deps . lists no %s; got %d packages of the module", want, product)
		}
	}
}
