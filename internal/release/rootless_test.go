//go:build linux

package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// imageUID is the distroless nonroot user the image runs as.
const imageUID = "65532"

// roScript runs its arguments in a new mount namespace in which every mount
// is read-only except $1 (the state directory), as in a container started
// with --read-only and a volume. It first reports any path that root can
// still write ("WRITABLE: path"), then drops to uid and gid 65532 without
// supplementary groups and executes the rest of its arguments.
const roScript = `set -e
state=$1; shift
for m in $(awk '{print $5}' /proc/self/mountinfo | sort -r); do
	mount -o remount,bind,ro "$m" 2>/dev/null || echo "WRITABLE: could not remount $m read-only"
done
mount --bind "$state" "$state"
mount -o remount,bind,rw "$state"
for p in / /tmp /var/tmp /dev/shm "$(dirname "$state")" "$HOME"; do
	if touch "$p/.gitlab-syslog-rw-probe" 2>/dev/null; then echo "WRITABLE: $p"; rm -f "$p/.gitlab-syslog-rw-probe"; fi
done
exec setpriv --reuid ` + imageUID + ` --regid ` + imageUID + ` --clear-groups -- "$@"
`

// TestImageContract runs the binary built as the Dockerfile builds it, with
// the image's baked config (examples/container.yaml, paths moved into a
// temporary directory), under the image's conditions: uid 65532, no
// supplementary groups, every mount read-only but the state directory.
// run --once must ship every sample line and write its checkpoints in the
// state directory and nowhere else; a long-running agent must pass the
// image's HEALTHCHECK command and stop cleanly on SIGTERM.
func TestImageContract(t *testing.T) {
	need(t, "root (to unshare a mount namespace and drop to uid "+imageUID+")", os.Geteuid() == 0)
	need(t, "unshare, setpriv and mount (util-linux, mount)", haveTool("unshare") && haveTool("setpriv") && haveTool("mount"))

	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.MkdirTemp("", "gitlab-syslog-image-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil { // traversable by uid 65532, like / in the image
		t.Fatal(err)
	}
	bin := filepath.Join(base, "gitlab-syslog")
	if err := goBuild(t.Context(), options{root: root, version: "v0.0.0-image", revision: "imagetest"}, "linux", runtime.GOARCH, bin); err != nil {
		t.Fatal(err)
	}
	logs, state := filepath.Join(base, "logs"), filepath.Join(base, "state")
	wantLines := copySamples(t, filepath.Join(root, "testdata"), logs)
	if err := os.Mkdir(state, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(state, 65532, 65532); err != nil { // the image's COPY --chown
		t.Fatal(err)
	}
	port := freePort(t)
	cfg := imageConfigFile(t, root, base, map[string]string{
		"state_dir: /var/lib/gitlab-syslog": "state_dir: " + state,
		"log_dir: /var/log/gitlab":          "log_dir: " + logs,
		"url: tcp://syslog:514":             "url: stdout://",
		"listen: 0.0.0.0:9469":              "listen: 127.0.0.1:" + port,
	})
	before := tree(t, base, state)

	// run --once: every line shipped, checkpoints only in the state directory.
	out, logText := runImage(t, state, bin, "run", "--config", cfg, "--once", "--hostname", "image-test", "--log-format", "json")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	logLines := 0 // the rest are the detection engine's alerts (GitLab-Detections)
	for _, l := range lines {
		if !strings.Contains(l, " GitLab-Detections ") {
			logLines++
		}
	}
	if logLines != wantLines {
		t.Errorf("run --once shipped %d log messages, want %d (every sample line)\n%s", logLines, wantLines, logText)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "<") || !strings.Contains(l, " image-test GitLab-") {
			t.Errorf("not an RFC 5424 message from host image-test: %.120q", l)
			break
		}
	}
	checkpoints, err := filepath.Glob(filepath.Join(state, "*"))
	if err != nil || len(checkpoints) == 0 {
		t.Errorf("no checkpoint in the state directory %s (err %v)\n%s", state, err, logText)
	}
	for _, c := range checkpoints {
		if st, err := os.Stat(c); err != nil || st.Sys().(*syscall.Stat_t).Uid != 65532 {
			t.Errorf("%s not written by uid 65532 (%v)", c, err)
		}
	}
	if after := tree(t, base, state); !slices.Equal(before, after) {
		t.Errorf("files outside the state directory changed:\nbefore %v\nafter  %v", before, after)
	}

	// The running agent passes the image's HEALTHCHECK, and stops on SIGTERM.
	agent := imageCmd(state, bin, "run", "--config", cfg, "--hostname", "image-test")
	var agentErr bytes.Buffer
	agent.Stderr = &agentErr
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	url := "http://127.0.0.1:" + port + "/healthz"
	healthcheck := func() error {
		return exec.Command("setpriv", "--reuid", imageUID, "--regid", imageUID, "--clear-groups", "--", bin, "healthcheck", "--url", url, "--timeout", "2s").Run()
	}
	deadline := time.Now().Add(30 * time.Second)
	for err := healthcheck(); err != nil; err = healthcheck() {
		if time.Now().After(deadline) {
			agent.Process.Kill()
			agent.Wait()
			t.Fatalf("healthcheck --url %s still failing after 30s: %v\n%s", url, err, agentErr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	agent.Process.Signal(syscall.SIGTERM)
	if err := agent.Wait(); err != nil {
		t.Errorf("agent did not exit 0 on SIGTERM: %v\n%s", err, agentErr.String())
	}
	if err := healthcheck(); err == nil {
		t.Error("healthcheck succeeded with the agent stopped")
	}
}

// imageCmd builds the command that runs bin with args under roScript.
func imageCmd(state, bin string, args ...string) *exec.Cmd {
	argv := append([]string{"--mount", "--propagation", "private", "--", "sh", "-c", roScript, "sh", state, bin}, args...)
	return exec.Command("unshare", argv...)
}

// runImage runs bin under the image's conditions and returns its stdout and
// stderr; it fails the test if it exits non-zero or a path was writable.
func runImage(t *testing.T, state, bin string, args ...string) (stdout, stderr string) {
	t.Helper()
	cmd := imageCmd(state, bin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var msgs strings.Builder
	for _, l := range strings.SplitAfter(out.String(), "\n") {
		if w, ok := strings.CutPrefix(l, "WRITABLE: "); ok {
			t.Errorf("not read-only as in the image: %s", strings.TrimSpace(w))
			continue
		}
		msgs.WriteString(l)
	}
	if err != nil {
		t.Fatalf("gitlab-syslog %s under the image's conditions: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return msgs.String(), errOut.String()
}

// copySamples copies the sample logs into dst (0755, files 0644) and
// returns how many lines they hold.
func copySamples(t *testing.T, src, dst string) int {
	t.Helper()
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, name := range []string{"audit_json.log", "application_json.log", "application.log", "gitlab_access.log"} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		n += bytes.Count(data, []byte("\n"))
	}
	return n
}

// imageConfigFile writes examples/container.yaml into dir with the given
// replacements, each of which must apply.
func imageConfigFile(t *testing.T, root, dir string, repl map[string]string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "examples", "container.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for old, new := range repl {
		if !strings.Contains(s, old) {
			t.Fatalf("examples/container.yaml has no %q", old)
		}
		s = strings.ReplaceAll(s, old, new)
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// tree lists the files under dir with their sizes and modification times,
// leaving out skip.
func tree(t *testing.T, dir, skip string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if p == skip {
			return filepath.SkipDir
		}
		out = append(out, p+" "+fi.Mode().String()+" "+fi.ModTime().String()+" "+strconv.FormatInt(fi.Size(), 10))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}
