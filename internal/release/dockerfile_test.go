//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// instruction is one Dockerfile instruction: its keyword (upper case), the
// --flags before its arguments, and the arguments, from the JSON (exec)
// form when JSON is set, else split on blanks.
type instruction struct {
	line  int
	cmd   string
	flags []string
	args  []string
	json  bool
	raw   string // the arguments as written, continuation lines joined
}

// parseDockerfile reads the instructions of a Dockerfile: comments and
// blank lines dropped, lines ending in a backslash joined with the next
// (comment lines inside a continuation skipped, as BuildKit does).
// Heredocs are not supported and are an error.
func parseDockerfile(text string) ([]instruction, error) {
	var out []instruction
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		start := i + 1
		for strings.HasSuffix(l, "\\") && i+1 < len(lines) {
			i++
			next := strings.TrimSpace(lines[i])
			if strings.HasPrefix(next, "#") {
				continue
			}
			l = strings.TrimSpace(strings.TrimSuffix(l, "\\")) + " " + next
		}
		if strings.HasSuffix(l, "\\") {
			return nil, fmt.Errorf("line %d: continuation at end of file", start)
		}
		cmd, rest, _ := strings.Cut(l, " ")
		in := instruction{line: start, cmd: strings.ToUpper(cmd)}
		rest = strings.TrimSpace(rest)
		if strings.Contains(rest, "<<") && (in.cmd == "RUN" || in.cmd == "COPY") {
			return nil, fmt.Errorf("line %d: heredocs are not supported by this parser", start)
		}
		for strings.HasPrefix(rest, "--") {
			flag, r, _ := strings.Cut(rest, " ")
			in.flags = append(in.flags, flag)
			rest = strings.TrimSpace(r)
		}
		in.raw = rest
		if strings.HasPrefix(rest, "[") && json.Unmarshal([]byte(rest), &in.args) == nil {
			in.json = true
		} else {
			in.args = strings.Fields(rest)
		}
		out = append(out, in)
	}
	return out, nil
}

func TestParseDockerfile(t *testing.T) {
	got, err := parseDockerfile("# c\nFROM a AS b\nRUN x \\\n  # inner comment\n  && y\n\nCOPY --from=b --chown=1:1 /s /d\nCMD [\"a\", \"b c\"]\nENTRYPOINT [not json\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []instruction{
		{line: 2, cmd: "FROM", args: []string{"a", "AS", "b"}, raw: "a AS b"},
		{line: 3, cmd: "RUN", args: []string{"x", "&&", "y"}, raw: "x && y"},
		{line: 7, cmd: "COPY", flags: []string{"--from=b", "--chown=1:1"}, args: []string{"/s", "/d"}, raw: "/s /d"},
		{line: 8, cmd: "CMD", args: []string{"a", "b c"}, json: true, raw: `["a", "b c"]`},
		{line: 9, cmd: "ENTRYPOINT", args: []string{"[not", "json"}, raw: "[not json"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("parsed\n%v\nwant\n%v", got, want)
	}
	for _, bad := range []string{"RUN a \\", "RUN <<EOF\nx\nEOF\n"} {
		if _, err := parseDockerfile(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// stages splits instructions at FROM; the ARGs before the first FROM are
// stage 0's global ARGs and are not returned.
func stages(ins []instruction) [][]instruction {
	var out [][]instruction
	for _, in := range ins {
		if in.cmd == "FROM" {
			out = append(out, nil)
		}
		if len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], in)
		}
	}
	return out
}

func find(stage []instruction, cmd string) []instruction {
	var out []instruction
	for _, in := range stage {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// TestDockerfile checks the image's contract in the Dockerfile at the
// repository root: a Go builder stage that builds the binary with the
// release tool's flags; a final distroless (or scratch) stage with that
// binary, a numeric non-root USER, the state directory as a VOLUME owned by
// that user, a HEALTHCHECK running `gitlab-syslog healthcheck` against the
// /healthz of the baked config's metrics.listen, OCI labels with the
// VERSION and REVISION build arguments; and the baked config
// (examples/container.yaml) agreeing with all of it.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	ins, err := parseDockerfile(string(data))
	if err != nil {
		t.Fatal(err)
	}
	st := stages(ins)
	if len(st) < 2 {
		t.Fatalf("%d stages, want a multi-stage build", len(st))
	}
	build, final := st[0], st[len(st)-1]
	from := build[0].args
	if len(from) != 3 || !strings.HasPrefix(from[0], "golang:") || !strings.EqualFold(from[1], "AS") {
		t.Fatalf("first stage FROM %v, want golang:... AS <name>", from)
	}
	buildName := from[2]
	base := final[0].args[0]
	if !strings.HasPrefix(base, "gcr.io/distroless/static") && base != "scratch" {
		t.Errorf("final stage FROM %s, want distroless static or scratch", base)
	}

	// The binary: static, stamped, the release tool's flags.
	var goBuildLine string
	for _, r := range find(build, "RUN") {
		if strings.Contains(r.raw, "go build") {
			goBuildLine = r.raw
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "GOARCH=${TARGETARCH}", "-trimpath", "-buildvcs=false", "-s -w", "-X main.version=${VERSION}", "-X main.revision=${REVISION}", "-X main.revisionTime=${REVISION_TIME}", mainPackage} {
		if !strings.Contains(goBuildLine, want) {
			t.Errorf("builder's go build lacks %q: %s", want, goBuildLine)
		}
	}
	for _, stage := range [][]instruction{build, final} {
		var args []string
		for _, a := range find(stage, "ARG") {
			name, _, _ := strings.Cut(a.args[0], "=")
			args = append(args, name)
		}
		if stage[0].line == build[0].line && !slices.Contains(args, "TARGETARCH") {
			t.Errorf("builder declares no ARG TARGETARCH: it would build for the build machine, not the image's platform")
		}
		if !slices.Contains(args, "VERSION") || !slices.Contains(args, "REVISION") {
			t.Errorf("stage %v declares ARGs %v, want VERSION and REVISION", stage[0].args, args)
		}
	}

	// Final stage: files, user, volume, health check, entrypoint.
	copies := map[string]instruction{}
	for _, c := range find(final, "COPY") {
		copies[c.args[len(c.args)-1]] = c
	}
	if c, ok := copies[binPath]; !ok || !slices.Contains(c.flags, "--from="+buildName) {
		t.Errorf("final stage does not COPY the binary from %s to %s", buildName, binPath)
	}
	if c, ok := copies[configPath]; !ok || c.args[0] != "examples/container.yaml" {
		t.Errorf("final stage does not COPY examples/container.yaml to %s", configPath)
	}
	users := find(final, "USER")
	if len(users) == 0 {
		t.Fatal("final stage has no USER: it would run as root")
	}
	user := users[len(users)-1].args[0]
	uid, _, _ := strings.Cut(user, ":")
	if uid == "0" || uid == "root" || strings.Trim(uid, "0123456789") != "" {
		t.Errorf("USER %s: want a numeric non-root uid (Kubernetes runAsNonRoot checks numbers)", user)
	}
	volumes := find(final, "VOLUME")
	if len(volumes) != 1 || !slices.Contains(volumes[0].args, stateDir) {
		t.Errorf("VOLUME %v, want %s", volumes, stateDir)
	}
	if c, ok := copies[stateDir]; !ok || !slices.Contains(c.flags, "--chown="+user) {
		t.Errorf("the state directory %s is not created owned by %s (COPY --chown=%s): a new volume would not be writable", stateDir, user, user)
	}
	cfg := containerConfig(t)
	if cfg.StateDir != stateDir {
		t.Errorf("examples/container.yaml state_dir %q, want the VOLUME %s", cfg.StateDir, stateDir)
	}
	_, port, _ := strings.Cut(cfg.Metrics.Listen, ":")
	hc := find(final, "HEALTHCHECK")
	if len(hc) != 1 {
		t.Fatalf("%d HEALTHCHECKs, want 1", len(hc))
	}
	cmd, probe, _ := strings.Cut(hc[0].raw, " ")
	var probeArgs []string
	if cmd != "CMD" || json.Unmarshal([]byte(strings.TrimSpace(probe)), &probeArgs) != nil {
		t.Fatalf("HEALTHCHECK %q: want CMD in exec form (distroless has no shell)", hc[0].raw)
	}
	wantProbe := []string{binPath, "healthcheck", "--url", "http://127.0.0.1:" + port + "/healthz"}
	if !slices.Equal(probeArgs, wantProbe) {
		t.Errorf("HEALTHCHECK CMD %q, want %q (metrics.listen of examples/container.yaml is %s)", probeArgs, wantProbe, cfg.Metrics.Listen)
	}
	if ex := find(final, "EXPOSE"); len(ex) != 1 || ex[0].args[0] != port {
		t.Errorf("EXPOSE %v, want the metrics port %s", ex, port)
	}
	if ep := find(final, "ENTRYPOINT"); len(ep) != 1 || !ep[0].json || !slices.Equal(ep[0].args, []string{binPath}) {
		t.Errorf("ENTRYPOINT %v, want [%q]", ep, binPath)
	}
	if c := find(final, "CMD"); len(c) != 1 || !c[0].json || len(c[0].args) < 3 || c[0].args[0] != "run" || !slices.Contains(c[0].args, configPath) {
		t.Errorf("CMD %v, want [run --config %s ...]", c, configPath)
	}

	// OCI labels.
	labels := map[string]string{}
	for _, l := range find(final, "LABEL") {
		for _, kv := range splitLabels(t, l.raw) {
			k, v, _ := strings.Cut(kv, "=")
			labels[k] = v
		}
	}
	for k, want := range map[string]string{
		"org.opencontainers.image.title":     "gitlab-syslog",
		"org.opencontainers.image.licenses":  "Apache-2.0",
		"org.opencontainers.image.version":   "${VERSION}",
		"org.opencontainers.image.revision":  "${REVISION}",
		"org.opencontainers.image.source":    "https://github.com/gitlab-syslog/gitlab-syslog",
		"org.opencontainers.image.base.name": base,
	} {
		if labels[k] != want {
			t.Errorf("LABEL %s=%q, want %q", k, labels[k], want)
		}
	}
	if labels["org.opencontainers.image.description"] == "" {
		t.Error("no org.opencontainers.image.description label")
	}
}

// splitLabels splits a LABEL's key="value" pairs, unquoting the values.
func splitLabels(t *testing.T, s string) []string {
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		k, rest, ok := strings.Cut(s, "=")
		if !ok {
			t.Fatalf("LABEL pair without '=': %q", s)
		}
		var v string
		if strings.HasPrefix(rest, `"`) {
			end := strings.Index(rest[1:], `"`)
			if end < 0 {
				t.Fatalf("unterminated quote in LABEL: %q", rest)
			}
			v, s = rest[1:end+1], rest[end+2:]
		} else {
			v, s, _ = strings.Cut(rest, " ")
		}
		out = append(out, k+"="+v)
	}
	return out
}

// imageConfig is the part of examples/container.yaml the image depends on.
type imageConfig struct {
	StateDir string `yaml:"state_dir"`
	LogDir   string `yaml:"log_dir"`
	Metrics  struct {
		Listen string `yaml:"listen"`
	} `yaml:"metrics"`
}

func containerConfig(t *testing.T) imageConfig {
	t.Helper()
	data, err := os.ReadFile("../../examples/container.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c imageConfig
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("examples/container.yaml: %v", err)
	}
	full, err := config.Load("../../examples/container.yaml")
	if err == nil {
		_, err = full.Resolve()
	}
	if err == nil {
		err = full.Validate()
	}
	if err != nil {
		t.Fatalf("the agent rejects examples/container.yaml: %v", err)
	}
	return c
}
