package config_test

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detectconf"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/resolved")

// TestResolvedGolden loads every configuration the repository ships or
// documents (examples/*.yaml, testdata/e2e/*/config.yaml, the YAML blocks
// of the README and testdata/resolved/*.yaml), resolves it and compares
// the effective values, keyed by their YAML key paths, and the validation
// errors with testdata/resolved/<name>.golden. The golden files were
// written before the configuration was composed of the components' own
// config types: the schema users write and what it resolves to must not
// change with how the Go types are arranged.
func TestResolvedGolden(t *testing.T) {
	t.Setenv("STATE_DIRECTORY", "/var/lib/gitlab-syslog")
	inputs := map[string][]byte{}
	add := func(name string, data []byte) {
		if _, dup := inputs[name]; dup {
			t.Fatalf("two inputs named %s", name)
		}
		inputs[name] = data
	}
	for _, pattern := range []string{"../../examples/*.yaml", "../../testdata/e2e/*/config.yaml", "testdata/resolved/*.yaml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			name := strings.TrimSuffix(filepath.Base(f), ".yaml")
			switch {
			case strings.HasPrefix(f, "../../examples/"):
				name = "examples_" + name
			case strings.HasPrefix(f, "../../testdata/e2e/"):
				name = "e2e_" + filepath.Base(filepath.Dir(f))
			}
			add(name, data)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(readme, -1) {
		add(fmt.Sprintf("readme_%d", i+1), m[1])
	}
	if len(inputs) < 15 {
		t.Fatalf("found %d configurations; the globs are wrong", len(inputs))
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			got := resolvedDump(t, name+".yaml", data)
			golden := filepath.Join("testdata", "resolved", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestResolvedGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("resolved values of %s changed:\n--- got\n%s\n--- want (%s)\n%s", name, got, golden, want)
			}
		})
	}
}

// resolvedDump parses, resolves and validates data and returns every
// effective value as "key.path: value" lines, sorted, followed by the
// validation errors and the detection engine's configuration.
func resolvedDump(t *testing.T, name string, data []byte) string {
	t.Helper()
	c, err := config.Parse(data, name)
	if err != nil {
		return "parse error:\n" + err.Error() + "\n"
	}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if c.Line("hostname") == 0 {
		c.Hostname = "os-hostname" // the machine's name would make the files differ per machine
	}
	out, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := yaml.Unmarshal(out, &tree); err != nil {
		t.Fatal(err)
	}
	var lines []string
	flatten(tree, "", &lines)
	slices.Sort(lines)
	var b strings.Builder
	b.WriteString(strings.Join(lines, "\n") + "\n")
	if err := c.Validate(); err != nil {
		fmt.Fprintf(&b, "validate:\n%v\n", err)
	}
	dc, err := detectconf.EngineConfig(c, nil)
	if err != nil {
		fmt.Fprintf(&b, "detections:\n%v\n", err)
	}
	fmt.Fprintf(&b, "engine: on=%v lateness=%s params=%v\n", c.Detections.On(), dc.Lateness, dc.Params)
	for _, id := range slices.Sorted(maps.Keys(dc.Rules)) {
		rc := dc.Rules[id]
		on := "default"
		if rc.Enabled != nil {
			on = fmt.Sprint(*rc.Enabled)
		}
		fmt.Fprintf(&b, "engine rule %s: enabled=%s severity=%q params=%v\n", id, on, rc.Severity, rc.Params)
	}
	return b.String()
}

// flatten appends "path: value" for every leaf of a decoded YAML tree. A
// list of single values is written joined with commas, as the detection
// parameters take it, and every scalar as text, so that the form a value
// is held in (a YAML node, a string) does not show.
func flatten(v any, path string, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flatten(e, p, out)
		}
	case []any:
		scalars := make([]string, 0, len(x))
		for i, e := range x {
			switch e.(type) {
			case map[string]any, []any:
				flatten(e, fmt.Sprintf("%s[%d]", path, i), out)
			default:
				scalars = append(scalars, fmt.Sprint(e))
			}
		}
		if len(scalars) == len(x) {
			*out = append(*out, path+": "+strings.Join(scalars, ","))
		}
	case nil:
		*out = append(*out, path+": ")
	default:
		*out = append(*out, path+": "+fmt.Sprint(x))
	}
}
