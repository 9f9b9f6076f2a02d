package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckStreamingTokens: check reads the streaming tokens as run's
// receiver does (trial 33, F3): a token_file that is missing, a directory
// or holds no token is a problem at its key's line, with what to do, and
// run refuses it too; an unset token_env is a warning, saying that run
// refuses to start when it is unset in the agent's environment; a short
// token, a token_file others can read and plain HTTP on every interface
// are warned about as run warns, run's WARN naming the key's file and
// line as check does (trial 34, F5: it carried key=token_file alone); the
// daemon's for plain HTTP, as run --once does not listen.
func TestCheckStreamingTokens(t *testing.T) {
	dir := t.TempDir()
	logDir, err := filepath.Abs("../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	comments := writeFile(t, filepath.Join(dir, "comments"), "# the group's token, once created\n\n")
	const unset = "GITLAB_SYSLOG_TEST_UNSET_TOKENS"
	t.Setenv(unset, "")
	openFile := writeFile(t, filepath.Join(dir, "open"), "4pQbN8xJr2sVwT6yKz3LmC1d\n")
	if err := os.Chmod(openFile, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, listen, tokens string
		problem              string // after the config's path, in check's problems and run's error; "": none
		warning              string // after the config's path, a WARNING of check; "": none
		runs                 bool   // run starts
		runWarn              string // in run's log
		runWhere             string // after the config's path, that WARN's where
	}{
		{"token_env unset", "127.0.0.1:0", "token_env: " + unset, "",
			":5: streaming.token_env: environment variable " + unset + " is unset or empty; set it in the agent's environment", false, "", ""},
		{"token_file a directory", "127.0.0.1:0", "token_file: " + dir,
			":5: streaming.token_file: " + dir + " is a directory; give the file that holds the streaming destinations' verification tokens", "", false, "", ""},
		{"token_file only comments", "127.0.0.1:0", "token_file: " + comments,
			":5: streaming.token_file: " + comments + " holds no token (one per line", "", false, "", ""},
		{"token_file missing", "127.0.0.1:0", "token_file: " + filepath.Join(dir, "nope"),
			":5: streaming.token_file: stat " + filepath.Join(dir, "nope") + ": no such file or directory; give the file", "", false, "", ""},
		{"short token", "127.0.0.1:0", "tokens: [short]", "",
			":5: streaming.tokens[0]: the token is shorter than the 16 characters GitLab generates", true, "is shorter than the 16 characters", ":5: streaming.tokens[0]"},
		{"token_file readable by others", "127.0.0.1:0", "token_file: " + openFile, "",
			":5: streaming.token_file: token file " + openFile + " is readable by group or others", true, "is readable by group or others", ":5: streaming.token_file"},
		{"plain HTTP on every interface", "0.0.0.0:0", "tokens: [4pQbN8xJr2sVwT6yKz3LmC1d]", "",
			":4: streaming.listen: serving plain HTTP on a non-loopback address", true, "serving plain HTTP on a non-loopback address", ":4: streaming.listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), "state_dir: "+filepath.Join(t.TempDir(), "state")+
				"\nlog_dir: "+logDir+"\nstreaming:\n  listen: "+tt.listen+"\n  "+tt.tokens+"\n")
			out, err := execute(t, "check", "--config", cfg, "--to", "stdout")
			if (err != nil) != (tt.problem != "") {
				t.Fatalf("check: %v, want a problem %t:\n%s", err, tt.problem != "", out)
			}
			if tt.problem != "" && !strings.Contains(out, "problems:\n  "+cfg+tt.problem) {
				t.Errorf("check lacks the problem %q:\n%s", cfg+tt.problem, out)
			}
			if tt.warning != "" && !strings.Contains(out, "WARNING: "+cfg+tt.warning) {
				t.Errorf("check lacks the warning %q:\n%s", cfg+tt.warning, out)
			}
			if tt.name == "token_env unset" && !strings.Contains(out, "run refuses to start when the variable is unset or empty there") {
				t.Errorf("check's warning does not say that run refuses it:\n%s", out)
			}
			var r runResult
			if tt.listen == "0.0.0.0:0" {
				// The daemon: run --once does not listen (TestOnceStreamingSpool).
				_, _, errOut := daemon(t, "--config", cfg, "--to", "stdout")
				for deadline := time.Now().Add(20 * time.Second); !strings.Contains(errOut.String(), `"msg":"streaming: receiving GitLab audit events"`); time.Sleep(20 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("run logged no \"streaming: receiving\" within 20s:\n%s", errOut.String())
					}
				}
				r = newRunResult(t, "", errOut.String(), nil)
			} else if r = runCmd(t, "--config", cfg, "--to", "stdout", "--once"); (r.err == nil) != tt.runs {
				t.Fatalf("run: %v, want it to start %t; log:\n%s", r.err, tt.runs, r.stderr)
			}
			if tt.runWarn == "" {
				return
			}
			var warned bool
			for _, rec := range r.logs {
				if msg, _ := rec["msg"].(string); rec["level"] == "WARN" && strings.Contains(msg, tt.runWarn) {
					warned = true
					if rec["where"] != cfg+tt.runWhere {
						t.Errorf("run's WARN %q has where=%v, want %q", msg, rec["where"], cfg+tt.runWhere)
					}
				}
			}
			if !warned {
				t.Errorf("run did not warn %q; log:\n%s", tt.runWarn, r.stderr)
			}
		})
	}
}

// TestCheckStreamingMaxBody: check warns about a streaming.max_body that
// refuses ordinary events (413, which GitLab does not retry), one above
// the 25 MiB GitLab sends, and one whose events a stream destination's
// max_stream_message_bytes cannot carry with their columns (under twice
// max_body); the default and GitLab's limit with a limit to match pass
// (fresh-user trial 283: all three passed check silently).
func TestCheckStreamingMaxBody(t *testing.T) {
	for _, tc := range []struct {
		name, block string
		warnings    []string // a part of each WARNING, in order
	}{
		{"default", "", nil},
		{"too small", "  max_body: 100\n", []string{"max_body is 100 bytes: GitLab's audit events take up to a few KiB"}},
		{"above GitLab's", "  max_body: 10GiB\n", []string{"above the 26214400 bytes GitLab sends at most",
			"forward.max_stream_message_bytes is 4194304, below twice max_body (26214400)"}},
		{"stream limit too small", "  max_body: 8MiB\n", []string{"forward.max_stream_message_bytes is 4194304, below twice max_body (8388608)"}},
		{"stream limit to match", "  max_body: 25MiB\nforward_limit: 52428800\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			block, limit, _ := strings.Cut(tc.block, "forward_limit: ")
			fwd := "forward: {url: \"tcp://127.0.0.1:5514\"}\n"
			if limit != "" {
				fwd = "forward: {url: \"tcp://127.0.0.1:5514\", max_stream_message_bytes: " + strings.TrimSpace(limit) + "}\n"
			}
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\n"+fwd+"sources: []\nstreaming:\n  listen: 127.0.0.1:0\n"+
				"  tokens: [abcdefghijklmnop1234]\n  spool_dir: "+filepath.Join(dir, "sp")+"\n"+block)
			out, _ := execute(t, "check", "--config", cfg)
			var got []string
			for line := range strings.SplitSeq(out, "\n") {
				if strings.Contains(line, "WARNING: ") && strings.Contains(line, "max_body") {
					got = append(got, line)
				}
			}
			if len(got) != len(tc.warnings) {
				t.Fatalf("%d max_body warnings, want %d:\n%s", len(got), len(tc.warnings), out)
			}
			for i, w := range tc.warnings {
				if !strings.Contains(got[i], w) || !strings.Contains(got[i], cfg+":") {
					t.Errorf("warning %d: %s\nwant it to name %s and hold %q", i, got[i], cfg, w)
				}
			}
		})
	}
}
