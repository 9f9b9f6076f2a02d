package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCheckFormatMismatch: a source whose file's first lines are wrapped
// otherwise than its format says (plain GitLab lines under format: cri,
// CRI records under format: docker or plain) is a warning of check naming
// what the lines are and the format to write, once (not also "is it a
// GitLab log?"); a glob is sampled in its matches. A CRI source of the
// right format and type gets no warning: its lines are sampled unwrapped
// (before, the raw records were sampled and check asked whether the
// ingress log was a GitLab log at all) (fresh-user trial 59). For a
// source without type the fix names the type too: format plain alone is
// refused without one, and auto drops lines gitlab-logger did not wrap
// (fresh-user trial 115).
func TestCheckFormatMismatch(t *testing.T) {
	dir := t.TempDir()
	copyTo := func(from, name string) string {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, filepath.Join(dir, "l", name), string(data))
	}
	cri := filepath.Join("..", "..", "testdata", "kubernetes", "cri")
	nginx, err := filepath.Glob(filepath.Join(cri, "*nginx*.log"))
	if err != nil || len(nginx) != 1 {
		t.Fatalf("the CRI ingress sample: %v %v", nginx, err)
	}
	plain := copyTo(filepath.Join(samples, "audit_json.log"), "audit_json.log")
	untyped := copyTo(filepath.Join(samples, "audit_json.log"), "untyped.log")
	ingress := copyTo(nginx[0], "ingress.log")
	ingressCRI := copyTo(nginx[0], "ingress-cri.log")
	web, err := filepath.Glob(filepath.Join(cri, "*webservice*.log"))
	if err != nil || len(web) != 1 {
		t.Fatalf("the CRI webservice sample: %v %v", web, err)
	}
	copyTo(web[0], filepath.Join("pods", "web_gitlab_webservice-1.log"))
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
		"  - {type: audit, path: "+plain+", format: cri}\n"+
		"  - {path: \""+filepath.Join(dir, "l", "pods", "*.log")+"\", format: docker}\n"+
		"  - {type: access, path: "+ingress+"}\n"+
		"  - {type: access, path: "+ingressCRI+", format: cri}\n"+
		"  - {path: "+untyped+", format: cri}\n")
	out, _ := execute(t, "check", "--config", cfg)
	for _, want := range []string{
		"WARNING: " + cfg + ":5: sources[0].path: format cri, but the first 5 lines of audit_json.log are plain lines, not wrapped by a container runtime: run would send them raw, unseen by the rules; write format: plain (or auto)\n",
		"WARNING: " + cfg + ":6: sources[1].path: format docker, but the first 5 lines of " + filepath.Join(dir, "l", "pods", "web_gitlab_webservice-1.log") + " (a file it matches) are CRI container log records (containerd, CRI-O: <time> <stream> <tag> <line>): run would send them raw, unseen by the rules; write format: cri (or auto)\n",
		"WARNING: " + cfg + ":7: sources[2].path: format plain, but the first 5 lines of ingress.log are CRI container log records",
		"WARNING: " + cfg + ":9: sources[4].path: format cri, but the first 5 lines of untyped.log are plain lines, not wrapped by a container runtime: run would send them raw, unseen by the rules; write type: audit and format: plain (or auto)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check: no %q in:\n%s", want, out)
		}
	}
	for _, none := range []string{"sources[2].path: none of the first", "sources[3].path"} {
		if strings.Contains(out, none) {
			t.Errorf("check warns %q:\n%s", none, out)
		}
	}

	// run names the records too, once, for the source of format plain.
	r := runCmd(t, "--config", cfg, "--once")
	const msg = "the first lines read from the file are CRI container log records, not GitLab's own lines: is the source's format right?"
	if recs := r.records(msg); len(recs) != 1 || recs[0]["file"] != ingress || !strings.Contains(fmt.Sprint(recs[0]["hint"]), "format: cri (or auto)") {
		t.Errorf("run: %d WARN %q, want one for %s with the format to give:\n%s", len(recs), msg, ingress, r.stderr)
	}
	// And the sources of format cri and docker whose lines are not such
	// records, typed or not (fresh-user trial 62).
	for _, w := range []struct{ msg, file, format string }{
		{"the first lines read from the file are plain lines, not CRI records: is the source's format right?", plain, "give the source format: plain (or auto)"},
		{"the first lines read from the file are plain lines, not CRI records: is the source's format right?", untyped, "give the source type: audit and format: plain (or auto)"},
		{"the first lines read from the file are CRI container log records, not Docker json-file records: is the source's format right?",
			filepath.Join(dir, "l", "pods", "web_gitlab_webservice-1.log"), "format: cri (or auto)"},
	} {
		recs := slices.DeleteFunc(r.records(w.msg), func(rec map[string]any) bool { return rec["file"] != w.file })
		if len(recs) != 1 || !strings.Contains(fmt.Sprint(recs[0]["hint"]), w.format) {
			t.Errorf("run: %d WARN %q, want one for %s with %q:\n%s", len(recs), w.msg, w.file, w.format, r.stderr)
		}
	}
	if n := len(r.records("the first lines read from the file parse as no GitLab log: is it a GitLab log?")); n != 0 {
		t.Errorf("run also asks whether a file of CRI records is a GitLab log (%d times):\n%s", n, r.stderr)
	}
}

// TestCheckFormatGlobSkipsCopies: a glob's format is judged on the files
// run follows, not on the rotated copies it matches too, which the tailer
// of their file reads (the kubelet's 0.log.<time>.gz): check said "format
// cri, but the first 5 lines of 0.log.<time>.gz are plain lines ...
// write format: plain", advice that breaks the source (fresh-user trial
// 75). A copy is still listed as not followed.
func TestCheckFormatGlobSkipsCopies(t *testing.T) {
	dir := t.TempDir()
	data := criWebserviceSample(t)
	ctr := filepath.Join(dir, "pods", "gitlab_web-0_uid", "webservice")
	writeFile(t, filepath.Join(ctr, "0.log"), string(data))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	writeFile(t, filepath.Join(ctr, "0.log.20261201-175850.gz"), gz.String())
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
		"  - {path: \""+filepath.Join(dir, "pods", "*", "webservice", "*")+"\", format: cri}\n")
	out, _ := execute(t, "check", "--config", cfg)
	if strings.Contains(out, "format cri, but") {
		t.Errorf("check judges the format on a rotated copy:\n%s", out)
	}
	if !strings.Contains(out, "0.log.20261201-175850.gz: rotated copy of "+filepath.Join(ctr, "0.log")) {
		t.Errorf("check does not list the copy as not followed:\n%s", out)
	}
}

// TestCheckFormatNamesPodFile: under /var/log/pods every container's file
// is 0.log, so a warning about one that a glob matches names its path,
// not its base name, which would not say which pod it is; and when the
// files it matches are not all of one format, the warning names each
// that is not the source's and says format: auto, rather than a format
// that would be wrong for the others (fresh-user trials 84 and 85).
func TestCheckFormatNamesPodFile(t *testing.T) {
	const docker = `{"log":"{\"severity\":\"INFO\"}\n","stream":"stdout","time":"2026-12-01T10:00:00.000000001Z"}` + "\n"
	for _, tc := range []struct {
		name  string
		files [2]string // the two pods' 0.log
		want  func(pods string) string
	}{
		{"one other format", [2]string{docker, docker}, func(pods string) string {
			return "sources[0].path: format cri, but the first line of " + filepath.Join(pods, "gitlab_web-0_uid", "webservice", "0.log") +
				" (a file it matches) is a Docker json-file record"
		}},
		{"mixed formats", [2]string{string(criWebserviceSample(t)), docker}, func(pods string) string {
			return "sources[0].path: format cri, but the files it matches are not all of one format: the first line of " +
				filepath.Join(pods, "gitlab_web-1_uid", "webservice", "0.log") + " (a file it matches) is a Docker json-file record"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			pods := filepath.Join(dir, "pods")
			writeFile(t, filepath.Join(pods, "gitlab_web-0_uid", "webservice", "0.log"), tc.files[0])
			writeFile(t, filepath.Join(pods, "gitlab_web-1_uid", "webservice", "0.log"), tc.files[1])
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
				"  - {path: \""+filepath.Join(pods, "*", "*", "0.log")+"\", format: cri}\n")
			out, _ := execute(t, "check", "--config", cfg)
			if want := tc.want(pods); !strings.Contains(out, want) {
				t.Errorf("check: no %q in:\n%s", want, out)
			}
			if mixed := strings.Contains(tc.name, "mixed"); mixed != strings.Contains(out, "write format: auto") || !mixed && !strings.Contains(out, "write format: docker") {
				t.Errorf("check advises the wrong format:\n%s", out)
			}
		})
	}
}

// criWebserviceSample returns the bundled CRI log of the webservice
// container.
func criWebserviceSample(t *testing.T) []byte {
	t.Helper()
	web, err := filepath.Glob(filepath.Join("..", "..", "testdata", "kubernetes", "cri", "*webservice*.log"))
	if err != nil || len(web) != 1 {
		t.Fatalf("the CRI webservice sample: %v %v", web, err)
	}
	data, err := os.ReadFile(web[0])
	if err != nil {
		t.Fatal(err)
	}
	return data
}
