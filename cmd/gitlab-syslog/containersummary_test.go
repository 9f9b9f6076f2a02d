package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestContainerLogNoneParsedCause checks that when no line of an input
// parsed and most of them (the samples hold one plain line among 16) or
// all are a container runtime's records (CRI, Docker json-file), the
// summary of parse, send and detect says so and how to read them (run, a
// source with format: cri, docker or auto), as each line's cause does,
// instead of asking whether the input is a GitLab log (fresh-user trial).
func TestContainerLogNoneParsedCause(t *testing.T) {
	cri, err := filepath.Glob(filepath.Join(samples, "kubernetes", "cri", "gitlab-webservice-*.log"))
	if err != nil || len(cri) == 0 {
		t.Fatalf("no CRI sample: %v", err)
	}
	docker, err := filepath.Glob(filepath.Join(samples, "kubernetes", "docker", "gitlab-webservice-*.log"))
	if err != nil || len(docker) == 0 {
		t.Fatalf("no Docker sample: %v", err)
	}
	// Each sample holds one line that is no record: 15 of the 16 are.
	data, err := os.ReadFile(cri[0])
	if err != nil {
		t.Fatal(err)
	}
	oneCRI := filepath.Join(t.TempDir(), "one.log")
	if err := os.WriteFile(oneCRI, []byte(strings.SplitAfter(string(data), "\n")[0]), 0o644); err != nil {
		t.Fatal(err)
	}
	const criCause = "15 of them are CRI container log records (containerd, CRI-O), not GitLab lines: parse and detect read GitLab's own lines; " +
		"run unwraps the GitLab lines in them: read the container logs with run, a source with format: cri (or auto), or send them with send --format cri"
	const dockerCause = "15 of them are Docker json-file container log records, not GitLab lines: parse and detect read GitLab's own lines; " +
		"run unwraps the GitLab lines in them: read the container logs with run, a source with format: docker (or auto), or send them with send --format docker"
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr bool
		want    string
	}{
		{"parse CRI", []string{"parse", cri[0]}, true, "read failed: " + criCause},
		{"send CRI", []string{"send", "--to", "stdout", cri[0]}, false, "read parsed; all were sent raw: " + criCause},
		{"detect CRI", []string{"detect", cri[0]}, false, "parsed: " + criCause},
		{"parse Docker", []string{"parse", docker[0]}, true, "read failed: " + dockerCause},
		{"detect Docker", []string{"detect", docker[0]}, false, "parsed: " + dockerCause},
		{"send both", []string{"send", "--to", "stdout", cri[0], docker[0]}, false, "30 of them are CRI and Docker json-file container log records"},
		{"send one-line CRI", []string{"send", "--to", "stdout", oneCRI}, false, "the 1 line read did not parse; all were sent raw: they are CRI container log records (containerd, CRI-O), not GitLab lines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, tc.args...)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want one: %v\n%s", err, tc.wantErr, errOut.String())
			}
			all := errOut.String()
			if err != nil {
				all += err.Error()
			}
			if !strings.Contains(all, tc.want) {
				t.Errorf("no %q in\n%s", tc.want, all)
			}
			if strings.Contains(all, "is it a GitLab log?") || strings.Contains(all, "is it one?") {
				t.Errorf("the summary asks whether the input is a GitLab log:\n%s", all)
			}
		})
	}
}
