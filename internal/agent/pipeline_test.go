package agent

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// writeMixedFile writes lines audit lines to path in runs of random length:
// runs of generated (parsable) lines alternate with runs of unparsable ones,
// so that tailer batches cost very different amounts to encode and parallel
// workers finish out of order. It returns the lines and which of them parse.
func writeMixedFile(t *testing.T, path string, lines int) (want [][]byte, parsable []bool) {
	t.Helper()
	g, err := loadgen.NewGenerator(parser.TypeAudit, 7)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	var buf bytes.Buffer
	for len(want) < lines {
		run := 1 + rng.IntN(3000)
		good := rng.IntN(2) == 0
		for range min(run, lines-len(want)) {
			var line []byte
			if good {
				line = g.AppendLine(nil)
			} else {
				line = fmt.Appendf(nil, "not json, line %d of the mixed file", len(want))
			}
			want = append(want, line)
			parsable = append(parsable, good)
			buf.Write(line)
			buf.WriteByte('\n')
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return want, parsable
}

// TestPipelineOrder checks that with several encode workers the collector
// receives every line exactly once and in file order, parsable lines with
// STRUCTURED-DATA and the others raw, and that the checkpoint reaches the
// end of the file (commits stayed in order), over a real TCP connection.
func TestPipelineOrder(t *testing.T) {
	lines := 60_000
	if testing.Short() {
		lines = 20_000
	}
	path := filepath.Join(t.TempDir(), "audit_json.log")
	want, parsable := writeMixedFile(t, path, lines)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			var (
				mu  sync.Mutex
				got []syslogtest.Message
			)
			col, err := syslogtest.Listen("127.0.0.1:0", func(msg []byte) {
				m, err := syslogtest.Parse(bytes.Clone(msg))
				if err != nil {
					t.Errorf("collector: %v: %q", err, msg)
					return
				}
				if string(m.AppName) == appNameDetections {
					return // alerts the generated lines cause; the order of log lines is checked
				}
				mu.Lock()
				got = append(got, m)
				mu.Unlock()
			})
			if err != nil {
				t.Fatal(err)
			}
			defer col.Close()
			c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: path})
			a, err := New(c, Options{Logger: testLogger(t), ExitAtEOF: true, Workers: workers, CheckInterval: 20 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if err := a.Run(ctx); err != nil {
				t.Fatal(err)
			}
			if ctx.Err() != nil {
				t.Fatal("--once did not exit at EOF")
			}
			col.Close() // every acknowledged message was written; wait for the reads
			mu.Lock()
			defer mu.Unlock()
			if len(got) != len(want) {
				t.Fatalf("collector got %d messages, want %d", len(got), len(want))
			}
			for i := range want {
				if !bytes.Equal(got[i].Msg, want[i]) {
					t.Fatalf("message %d is out of order:\n got %.120q\nwant %.120q", i, got[i].Msg, want[i])
				}
				if hasSD := string(got[i].SD) != "-"; hasSD != parsable[i] {
					t.Fatalf("message %d: STRUCTURED-DATA present = %v, want %v (%.80q)", i, hasSD, parsable[i], want[i])
				}
			}
			if off := checkpointOffset(t, c.StateDir, path); off != fi.Size() {
				t.Errorf("checkpoint at %d, want the end of the file %d", off, fi.Size())
			}
		})
	}
}

// TestWorkersDefault checks where the number of encode workers comes from:
// the option, else pipeline.workers, else DefaultWorkers.
func TestWorkersDefault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		opt, config int
		want        int
	}{
		{"default", 0, 0, DefaultWorkers()},
		{"config", 0, 3, 3},
		{"option wins", 5, 3, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newConfig(t, "stdout://", config.Source{Type: "audit", Path: path})
			c.Pipeline.Workers = tt.config
			a, err := New(c, Options{Logger: testLogger(t), Stdout: &bytes.Buffer{}, Workers: tt.opt})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.openSink(c, false); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			if err := a.startSources(ctx, c); err != nil {
				t.Fatal(err)
			}
			a.mu.Lock()
			got := len(a.sources[0].workers)
			a.mu.Unlock()
			cancel()
			sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer scancel()
			if err := a.stopSources(sctx, true, false); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%d workers, want %d", got, tt.want)
			}
		})
	}
}
