package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestManPages writes the man pages of the real command tree and checks
// there is one per visible command (none for hidden ones), each a roff page
// with the command's name and the date from SOURCE_DATE_EPOCH.
func TestManPages(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000") // 2023-11-14
	dir := t.TempDir()
	if out, err := execute(t, "man", "--dir", dir); err != nil {
		t.Fatalf("man: %v\n%s", err, out)
	}
	var want []string
	root := newRootCmd()
	root.InitDefaultHelpCmd() // added by Execute, as the man command sees the tree
	root.InitDefaultCompletionCmd()
	want = append(want, "gitlab-syslog.1")
	for _, c := range root.Commands() {
		if !c.IsAvailableCommand() || c.IsAdditionalHelpTopicCommand() {
			continue
		}
		want = append(want, "gitlab-syslog-"+c.Name()+".1")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				want = append(want, "gitlab-syslog-"+c.Name()+"-"+sub.Name()+".1")
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("man pages:\n got %v\nwant %v", got, want)
	}
	for _, must := range []string{"gitlab-syslog-run.1", "gitlab-syslog-check.1", "gitlab-syslog-healthcheck.1"} {
		if !slices.Contains(got, must) {
			t.Errorf("no page %s", must)
		}
	}
	if slices.Contains(got, "gitlab-syslog-man.1") {
		t.Error("the hidden man command got a page")
	}
	rootPage, err := os.ReadFile(filepath.Join(dir, "gitlab-syslog.1"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rootPage), `\fB-v\fP, \fB--version\fP`) { // fresh-user trial 61: only -h was listed
		t.Errorf("gitlab-syslog.1 lacks --version in its options:\n%s", rootPage)
	}
	page, err := os.ReadFile(filepath.Join(dir, "gitlab-syslog-run.1"))
	if err != nil {
		t.Fatal(err)
	}
	// trial 230: Markdown took <your IANA private enterprise number> for a tag and dropped it
	for _, want := range []string{`.TH "GITLAB-SYSLOG-RUN" "1" "Nov 2023"`, "gitlab-syslog-run - ", "--state-dir", "name@<your IANA private enterprise number>, the '@' required"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("gitlab-syslog-run.1 lacks %q:\n%.600s", want, page)
		}
	}
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	if _, err := execute(t, "man", "--dir", dir); err == nil || !strings.Contains(err.Error(), "SOURCE_DATE_EPOCH") {
		t.Errorf("a bad SOURCE_DATE_EPOCH gave %v, want an error naming it", err)
	}
}
