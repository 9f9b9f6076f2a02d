package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestMistypedContentGlob: a glob source whose type does not match the
// lines of the files it matches (type audit on the ingress-nginx
// controller's container logs, access lines) is a warning of check naming
// the file and the type the lines are, as for a source named by path, and
// run logs it once per file (fresh-user trial 72: check said valid, run
// warned). A glob of gitlab-logger's mixed stream with a type gets no
// warning: its lines are typed by their subcomponent, and check shows
// that APP-NAME as run sends them (by subcomponent, else the type's).
func TestMistypedContentGlob(t *testing.T) {
	dir := t.TempDir()
	cri := filepath.Join(samples, "kubernetes", "cri")
	copyTo := func(glob, name string) string {
		m, err := filepath.Glob(filepath.Join(cri, glob))
		if err != nil || len(m) != 1 {
			t.Fatalf("sample %s: %q, %v", glob, m, err)
		}
		data, err := os.ReadFile(m[0])
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, filepath.Join(dir, "containers", name), string(data))
	}
	ingress := copyTo("gitlab-nginx-ingress-controller-*.log", "ingress-1_gitlab_controller-a.log")
	copyTo("gitlab-webservice-*.log", "web-1_gitlab_webservice-b.log")
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
		"  - {type: audit, format: cri, path: \""+filepath.Join(dir, "containers", "ingress-*_controller-*.log")+"\"}\n"+
		"  - {type: audit, format: cri, path: \""+filepath.Join(dir, "containers", "web-*_webservice-*.log")+"\"}\n")

	checkWarns(t, cfg, "webservice-b.log (a file it matches) parse",
		"WARNING: "+cfg+":5: sources[0].path: type audit, but ",
		" lines of "+ingress+" (a file it matches) parse as access lines, none as audit: they would go out raw under APP-NAME GitLab-Audit-Logs, unseen by the rules; write type: access if the files it matches are all access logs, else narrow the pattern")
	out, _ := execute(t, "check", "--config", cfg)
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "web-*_webservice-*.log") && !strings.Contains(l, "APP-NAME by subcomponent, else GitLab-Audit-Logs") {
			t.Errorf("check shows the mixed stream's APP-NAME otherwise than run sends it (by subcomponent, else GitLab-Audit-Logs):\n%s", l)
		}
	}

	r := runCmd(t, "--config", cfg, "--once")
	const msg = "the first lines read from the file look like access lines, not audit: is the source's type right?"
	var got []string
	for _, rec := range r.records(msg) {
		got = append(got, rec["file"].(string))
	}
	if len(got) != 1 || got[0] != ingress {
		t.Errorf("run warns %q for %q, want once for %s:\n%s", msg, got, ingress, r.stderr)
	}
	apps := map[string]int{} // what check's row says: the application lines under their own APP-NAME
	for l := range strings.Lines(r.stdout) {
		m, err := syslogtest.Parse([]byte(strings.TrimSuffix(l, "\n")))
		if err != nil {
			t.Fatalf("%v: %q", err, l)
		}
		apps[string(m.AppName)]++
	}
	if apps["GitLab-Application-Logs"] == 0 || apps["GitLab-Audit-Logs"] == 0 {
		t.Errorf("run sent %v, want application lines under GitLab-Application-Logs and audit lines under GitLab-Audit-Logs", apps)
	}
}
