package syslogtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// BuildAgent builds cmd/gitlab-syslog, found at pkgDir (a path relative to
// the calling test's package, such as "../../../cmd/gitlab-syslog"), into
// a new temporary directory, with -race when race is set. It returns the
// binary's path and the directory to remove when done; the error carries
// go build's output.
func BuildAgent(pkgDir string, race bool) (bin, dir string, err error) {
	dir, err = os.MkdirTemp("", "gitlab-syslog-bin-")
	if err != nil {
		return "", "", err
	}
	bin = filepath.Join(dir, "gitlab-syslog")
	args := []string{"build", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	if out, err := exec.Command("go", append(args, pkgDir)...).CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, dir, nil
}
