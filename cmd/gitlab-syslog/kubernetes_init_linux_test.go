package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
)

// TestKubernetesInitContainerRestarts runs the DaemonSet's init container
// command on a directory as the kubelet leaves it (root's, 0755), as root
// with no capability but CHOWN (setpriv), twice: a pod restarted on the
// node runs it again on the directory it already handed over. Both runs
// must succeed and leave the directory 0750 and the agent's user's.
func TestKubernetesInitContainerRestarts(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the init container runs as root with CAP_CHOWN alone")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv (util-linux) not found; it drops the capabilities as the manifest does")
	}
	var ds appsv1.DaemonSet
	decodeStrict(t, "daemonset.yaml", &ds)
	ics := ds.Spec.Template.Spec.InitContainers
	if len(ics) != 1 || len(ics[0].Command) != 3 || ics[0].Command[0] != "sh" {
		t.Fatalf("init containers %+v: want one running sh -c SCRIPT", ics)
	}
	if caps := ics[0].SecurityContext.Capabilities.Add; len(caps) != 1 || caps[0] != "CHOWN" {
		t.Fatalf("init container adds %v; this test runs it with CHOWN alone", caps)
	}
	dir := filepath.Join(t.TempDir(), "gitlab-syslog")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	script := strings.ReplaceAll(ics[0].Command[2], "/var/lib/gitlab-syslog", dir)
	if script == ics[0].Command[2] {
		t.Fatalf("script %q does not name /var/lib/gitlab-syslog", script)
	}
	for run := 1; run <= 2; run++ {
		cmd := exec.Command(setpriv, "--bounding-set=-all,+chown", "--inh-caps=-all", "sh", "-c", script)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, out)
		}
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != 65532 || st.Gid != 65532 || fi.Mode().Perm() != 0o750 {
			t.Errorf("run %d: %v %d:%d, want -rwxr-x--- 65532:65532", run, fi.Mode(), st.Uid, st.Gid)
		}
	}
}
