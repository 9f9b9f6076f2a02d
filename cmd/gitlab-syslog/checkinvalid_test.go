package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckMarksInvalidValues: a value the problems list refuses is marked
// in check's summary, not shown as if run would use it: start_at (and the
// sources that inherit it), a datagram size, max_line_bytes, the
// detections' lateness, the streaming receiver's and a network input's
// listen address (trial 47: "listening on" a port above 65535), once when
// the streaming path is invalid too (trial 84); from the file or from a
// flag. Valid values are not
// marked. A max_line_bytes of the wrong type ("lots", a list) is not shown
// as its default: the lines row read "(the default of max_line_bytes)
// (INVALID, see problems)" (fresh-user trial 36); nor is any other value
// of the wrong type: it is shown as written (lateness: banana, a list as
// [1]; fresh-user trial 281).
func TestCheckMarksInvalidValues(t *testing.T) {
	dir := t.TempDir()
	audit := writeFile(t, filepath.Join(dir, "audit_json.log"), "")
	cfg := func(extra string) string {
		return writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\n"+extra+
			"sources:\n  - {type: audit, path: "+audit+"}\n  - {type: audit, path: "+filepath.Join(dir, "b_audit_json.log")+", start_at: end}\n")
	}
	const mark = " (INVALID, see problems)"
	for _, tc := range []struct {
		name, extra string
		flags       []string
		marks       int // values marked INVALID
		want        []string
		not         []string // not in the output
	}{
		{"start_at", "start_at: middle\n", nil, 2, []string{
			"start_at:   middle" + mark + "\n",
			"start_at middle (INVALID)  ",
			"start_at end               ",
		}, nil},
		{"--start-at", "", []string{"--start-at", "mid"}, 2, []string{"start_at:   mid" + mark + "\n", "start_at mid (INVALID)  "}, nil},
		{"datagrams", "forward: {url: \"udp://127.0.0.1:514\", max_message_bytes: 70000}\n", nil, 1, []string{
			"; datagrams cut at 70000 bytes (max_message_bytes)" + mark + "\n",
		}, nil},
		{"max_line_bytes", "max_line_bytes: 10\n", nil, 1, []string{"is cut to it and sent raw (" + cfg("max_line_bytes: 10\n") + ":2: max_line_bytes)" + mark + "\n"}, nil},
		{"max_line_bytes: lots", "max_line_bytes: lots\n", nil, 1, []string{"\nlines:      max_line_bytes" + mark + "\n"}, []string{"default of max_line_bytes"}},
		{"max_line_bytes: [1]", "max_line_bytes: [1]\n", nil, 1, []string{"\nlines:      max_line_bytes" + mark + "\n"}, []string{"default of max_line_bytes"}},
		{"lateness", "detections:\n  lateness: 0s\n", nil, 1, []string{"rules on, lateness 0s" + mark + ", state saved every 1m0s to"}, nil},
		// As written, not the default decoded in its place (fresh-user
		// trial 281: "lateness 2m0s (INVALID, see problems)").
		{"lateness: banana", "detections:\n  lateness: banana\n", nil, 1, []string{"rules on, lateness banana" + mark + ", state saved every 1m0s to",
			`c.yaml:3: detections.lateness: want a duration (e.g. 5s, 250ms, 24h), got "banana"`}, []string{"lateness 2m0s"}},
		{"lateness: [1]", "detections:\n  lateness: [1]\n  state_save_interval: soon\n", nil, 2, []string{
			"rules on, lateness [1]" + mark + ", state saved every soon" + mark + " to"}, []string{"lateness 2m0s", "every 1m0s"}},
		{"forward.facility: [1]", "forward: {url: \"tcp://127.0.0.1:514\", facility: [1], format: RFC-5424}\n", nil, 2, []string{
			"forward:    tcp://127.0.0.1:514, RFC-5424" + mark + ", facility [1]" + mark + ", with"}, []string{"local7"}},
		{"streaming.listen", "streaming:\n  listen: \"127.0.0.1:99999\"\n  tokens: [abcdefghijklmnop1234]\n", nil, 1, []string{"streaming:  listening on 127.0.0.1:99999/gitlab/audit" + mark + " over plain HTTP, events spooled to "}, nil},
		{"inputs[0].listen", "inputs:\n  - listen: \"tcp://127.0.0.1:99999\"\n", nil, 1, []string{"inputs:     listening on tcp://127.0.0.1:99999" + mark + ", messages spooled to "}, nil},
		{"inputs[0].other", "inputs:\n  - listen: \"tcp://127.0.0.1:2514\"\n    other: bogus\n", nil, 1, []string{"other APP-NAMEs: bogus" + mark + "\n"}, nil},
		// Not glued to the address (fresh-user trial 66: 127.0.0.1:47644gitlab/audit).
		{"streaming.path", "streaming:\n  listen: \"127.0.0.1:47644\"\n  path: gitlab/audit\n  tokens: [abcdefghijklmnop1234]\n", nil, 1, []string{"streaming:  listening on 127.0.0.1:47644 (path gitlab/audit" + mark + ") over plain HTTP, events spooled to "}, nil},
		// Both invalid: one mark after both (fresh-user trial 84: printed
		// twice), and the bad listen hides none of the block's other
		// problems nor the short token's warning.
		{"streaming.listen and streaming.path", "streaming:\n  listen: \"127.0.0.1:99999\"\n  path: gitlab/audit\n  tokens: [short]\n  max_body: -1\n", nil, 1, []string{
			"streaming:  listening on 127.0.0.1:99999 (path gitlab/audit)" + mark + " over plain HTTP, events spooled to ",
			"c.yaml:5: streaming.tokens[0]: the token is shorter than the 16 characters GitLab generates",
			`c.yaml:3: streaming.listen: "127.0.0.1:99999": port "99999" is not a number from 0 to 65535`,
			`c.yaml:4: streaming.path: must start with /, got "gitlab/audit"`,
			"c.yaml:6: streaming.max_body: must not be negative",
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := execute(t, append([]string{"check", "--config", cfg(tc.extra)}, tc.flags...)...)
			if err == nil {
				t.Fatalf("check passed:\n%s", out)
			}
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("no %q in:\n%s", want, out)
				}
			}
			for _, not := range tc.not {
				if strings.Contains(out, not) {
					t.Errorf("%q in:\n%s", not, out)
				}
			}
			if n := strings.Count(out, "INVALID"); n != tc.marks {
				t.Errorf("%d values marked INVALID, want %d:\n%s", n, tc.marks, out)
			}
		})
	}
}

// TestCheckInvalidSources: a sources value of the wrong type (a path, a
// mapping, a number instead of a list) is a problem with its line, and
// check's sources section says the sources are invalid instead of
// listing the default sources under log_dir, which run does not follow:
// it refuses the file. Before, the section read "the defaults under
// LOG_DIR, layout omnibus" with a row per default file.
func TestCheckInvalidSources(t *testing.T) {
	dir := t.TempDir()
	logDir := filepath.Join(dir, "gitlab")
	audit := writeFile(t, filepath.Join(logDir, "gitlab-rails", "audit_json.log"), "")
	for _, tc := range []struct{ name, sources, got string }{
		{"a path", audit, `"` + audit + `"`},
		{"a mapping", "{type: audit, path: " + audit + "}", "a mapping"},
		{"a number", "3", "3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nlog_dir: "+logDir+"\nsources: "+tc.sources+"\n")
			out, err := execute(t, "check", "--config", cfg)
			if err == nil {
				t.Fatalf("check passed:\n%s", out)
			}
			if want := cfg + `:3: sources: want a list (e.g. [a, b], or one "- item" a line), got ` + tc.got; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
			if !strings.Contains(out, "\nsources:    INVALID, see problems\nmetrics:") {
				t.Errorf("the sources are not said to be invalid:\n%s", out)
			}
			if strings.Contains(out, "the defaults under") || strings.Contains(out, "  audit  ") {
				t.Errorf("the default sources are listed as if run followed them:\n%s", out)
			}
		})
	}
}

// TestCheckInvalidBlocks: a block given a value of the wrong type (a
// scalar where a mapping is expected) is a problem with its line, and
// its summary row says it is invalid, as the sources row does
// (TestCheckInvalidSources), instead of showing the defaults decoded in
// its place as the file's: "forward: tcp://127.0.0.1:514" gave the row
// "forward:    tcp://127.0.0.1:514, rfc5424, ..." unmarked, and
// "detections: true" the row "detections: no detections block, so every
// detection setting is a default" with the rules listed, and "metrics:
// 9469" the row "metrics:    off" (fresh-user trial 36); streaming,
// inputs and geoip read "off" alike.
func TestCheckInvalidBlocks(t *testing.T) {
	dir := t.TempDir()
	audit := writeFile(t, filepath.Join(dir, "audit_json.log"), "")
	for _, tc := range []struct {
		name, yaml string
		row        string   // the row, from its label to the next row's
		problem    string   // after the file's name
		not        []string // not in the output
	}{
		{"forward: a URL", "forward: tcp://127.0.0.1:514\n",
			"\nforward:    INVALID, see problems\nstart_at:",
			":3: forward: want a mapping of keys", []string{"tcp://127.0.0.1:514,", "rfc5424"}},
		{"forward: a list", "forward: [stdout://]\n",
			"\nforward:    INVALID, see problems\nstart_at:",
			":3: forward: want a mapping of keys", []string{"tcp://127.0.0.1:514", "rfc5424"}},
		{"detections: true", "detections: true\n",
			"\ndetections: INVALID, see problems\nproblems:",
			":3: detections: want a mapping of keys", []string{"no detections block", "rules on", "sentinel.bruteforce"}},
		{"metrics: a port", "metrics: 9469\n",
			"\nmetrics:    INVALID, see problems\nstreaming:",
			":3: metrics: want a mapping of keys", []string{"metrics:    off"}},
		{"streaming: a port", "streaming: 8080\n",
			"\nstreaming:  INVALID, see problems\ninputs:",
			":3: streaming: want a mapping of keys", []string{"streaming:  off"}},
		{"inputs: a port", "inputs: 6514\n",
			"\ninputs:     INVALID, see problems\ngeoip:",
			":3: inputs: want a list", []string{"inputs:     off"}},
		{"geoip: a path", "geoip: /var/lib/GeoLite2-City.mmdb\n",
			"\ngeoip:      INVALID, see problems\ndetections:",
			":3: geoip: want a mapping of keys", []string{"geoip:      off"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+
				"\nsources: [{type: audit, path: "+audit+"}]\n"+tc.yaml)
			out, err := execute(t, "check", "--config", cfg)
			if err == nil {
				t.Fatalf("check passed:\n%s", out)
			}
			if !strings.Contains(out, "problems:\n  "+cfg+tc.problem) {
				t.Errorf("no problem %q in:\n%s", cfg+tc.problem, out)
			}
			if !strings.Contains(out, tc.row) {
				t.Errorf("no %q in:\n%s", tc.row, out)
			}
			for _, not := range tc.not {
				if strings.Contains(out, not) {
					t.Errorf("%q in:\n%s", not, out)
				}
			}
		})
	}
}
