package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestSendSameFileOnce: a file named more than once (again by its path,
// by ./ or by a link) is sent once, and stderr says so, as detect reads it
// once; before, send forwarded every line once per name (fresh-user trial
// 86: five names, 125 messages for 25 lines).
func TestSendSameFileOnce(t *testing.T) {
	dir := t.TempDir()
	line := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","target_id":1,"target_type":"User","target_details":"Administrator"}`
	a := writeFile(t, filepath.Join(dir, "audit_json.log"), line+"\n"+line+"\n")
	dot := dir + string(filepath.Separator) + "." + string(filepath.Separator) + "audit_json.log"
	var stdout, stderr bytes.Buffer
	if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, "send", "--to", "-", a, a, dot, a); err != nil {
		t.Fatalf("send: %v\n%s", err, stderr.String())
	}
	if n := strings.Count(stdout.String(), "\n"); n != 2 {
		t.Errorf("%d messages, want 2 (the file once):\n%s", n, stdout.String())
	}
	for _, want := range []string{"send: " + a + " is given 3 times; sent once\n", "send: " + dot + " is the same file as " + a + ", given before; sent once\n"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}
