package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInputProgress reads a real file through readInput with a bar drawn
// into a buffer standing in for a terminal: it reaches 100% of the file's
// bytes and counts the lines; without a terminal nothing is drawn.
func TestInputProgress(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	var data strings.Builder
	for range 5000 {
		data.WriteString(`{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"author_name":"Administrator"}` + "\n")
	}
	if err := os.WriteFile(path, []byte(data.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var term bytes.Buffer
	p := newInputProgress(&term, true, totalSize([]string{path, "-"}))
	if p == nil {
		t.Fatal("no bar on a terminal")
	}
	ctx := context.WithValue(context.Background(), progressKey{}, p)
	lines := 0
	if err := readInput(ctx, path, nil, 0, func(string, int, []byte, int) error { lines++; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := p.lines.Load(); got != int64(lines) || lines != 5000 {
		t.Errorf("bar counted %d lines, read %d, want 5000", got, lines)
	}
	if st := p.bar.State(); st.CurrentNum != int64(data.Len()) || st.CurrentPercent != 1 {
		t.Errorf("bar at %d bytes (%.0f%%), want %d (100%%)", st.CurrentNum, st.CurrentPercent*100, data.Len())
	}
	p.finish()
	if out := term.String(); !strings.Contains(out, "% |") || !strings.Contains(out, "B/s)") || !strings.HasSuffix(out, "\r") {
		t.Errorf("the terminal did not show a bar with its rate, then clear it: %q", out)
	}

	var pipe bytes.Buffer
	ctx, done := startInputProgress(context.Background(), &pipe, []string{path})
	if progressFrom(ctx) != nil {
		t.Error("a bar on a writer that is not a terminal")
	}
	if err := readInput(ctx, path, nil, 0, func(string, int, []byte, int) error { return nil }); err != nil {
		t.Fatal(err)
	}
	done()
	if pipe.Len() != 0 {
		t.Errorf("wrote %q to a non-terminal", pipe.String())
	}
	if newInputProgress(&term, true, 0) != nil {
		t.Error("a bar with nothing to read (stdin only)")
	}
}
