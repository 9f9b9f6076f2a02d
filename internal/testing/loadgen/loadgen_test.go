package loadgen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// accessRE matches a line of NGINX's gitlab_access log format as Omnibus
// GitLab configures it: $remote_addr - $remote_user [$time_local]
// "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"
// $gzip_ratio.
var accessRE = regexp.MustCompile(`^(\S+) - (.*?) \[([^\]]+)\] "(\S+) (\S+) (\S+)" (\d{3}) (\d+) "(.*?)" "(.*?)" (\S+)$`)

func generate(t *testing.T, opts Options) ([][]byte, Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := Write(&buf, opts)
	if err != nil {
		t.Fatalf("Write(%+v): %v", opts, err)
	}
	if int64(buf.Len()) != st.Bytes {
		t.Fatalf("Write(%+v) reported %d bytes, wrote %d", opts, st.Bytes, buf.Len())
	}
	data := buf.Bytes()
	if len(data) == 0 || data[len(data)-1] != '\n' {
		t.Fatalf("Write(%+v): output does not end in a newline", opts)
	}
	lines := bytes.Split(data[:len(data)-1], []byte("\n"))
	if len(lines) != st.Lines {
		t.Fatalf("Write(%+v) reported %d lines, wrote %d", opts, st.Lines, len(lines))
	}
	return lines, st
}

func TestJSONLinesAreValid(t *testing.T) {
	for _, typ := range []parser.Type{parser.TypeAudit, parser.TypeApplication, parser.TypeAuth} {
		t.Run(typ.String(), func(t *testing.T) {
			lines, _ := generate(t, Options{Type: typ, Lines: 20000, Seed: 7})
			for i, line := range lines {
				var obj map[string]any
				if err := json.Unmarshal(line, &obj); err != nil {
					t.Fatalf("line %d is not valid JSON: %v\n%s", i+1, err, line)
				}
				for _, k := range []string{"severity", "time"} {
					if _, ok := obj[k].(string); !ok {
						t.Fatalf("line %d has no string %q: %s", i+1, k, line)
					}
				}
			}
		})
	}
}

// TestAuditShapes checks that all three audit line shapes (see shapeFlat)
// and the meta.* keys occur, and that the lines average about 390 bytes
// like the file in issue #5.
func TestAuditShapes(t *testing.T) {
	lines, st := generate(t, Options{Type: parser.TypeAudit, Lines: 20000, Seed: 1})
	var flat, nested, both, meta int
	for _, line := range lines {
		var obj map[string]any
		if err := json.Unmarshal(line, &obj); err != nil {
			t.Fatal(err)
		}
		_, hasDetails := obj["details"].(map[string]any)
		_, hasAuthor := obj["author_name"].(string)
		if !hasAuthor {
			t.Fatalf("audit line without author_name: %s", line)
		}
		_, hasFlatDetail := obj["target_type"]
		_, hasClass := obj["author_class"]
		switch {
		case hasDetails && hasClass:
			both++
		case hasDetails:
			nested++
		case hasFlatDetail:
			flat++
		}
		if _, ok := obj["meta.caller_id"]; ok {
			meta++
		}
	}
	if flat == 0 || nested == 0 || both == 0 {
		t.Errorf("shapes flat=%d nested=%d nested+flat=%d: want all three", flat, nested, both)
	}
	if flat+nested+both != len(lines) {
		t.Errorf("%d of %d lines have no known shape", len(lines)-flat-nested-both, len(lines))
	}
	if meta == 0 || meta == len(lines) {
		t.Errorf("%d of %d lines carry meta.* keys: want some but not all", meta, len(lines))
	}
	avg := float64(st.Bytes) / float64(st.Lines)
	t.Logf("flat=%d nested=%d nested+flat=%d meta=%d average=%.0f bytes", flat, nested, both, meta, avg)
	if avg < 360 || avg > 420 {
		t.Errorf("average audit line is %.0f bytes, want about 390", avg)
	}
}

func TestAccessLinesMatchFormat(t *testing.T) {
	lines, _ := generate(t, Options{Type: parser.TypeAccess, Lines: 20000, Seed: 3})
	methods := map[string]int{}
	users := map[string]int{}
	statuses := map[string]int{}
	for i, line := range lines {
		m := accessRE.FindSubmatch(line)
		if m == nil {
			t.Fatalf("line %d does not match the gitlab_access format: %s", i+1, line)
		}
		users[string(m[2])]++
		methods[string(m[4])]++
		statuses[string(m[7])]++
	}
	for _, want := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND"} {
		if methods[want] == 0 {
			t.Errorf("no %s request in 20000 lines", want)
		}
	}
	if users["-"] == 0 || users["Username for 'http"] == 0 || len(users) < 4 {
		t.Errorf("remote_user values %v: want '-', names and one with spaces", users)
	}
	if len(statuses) < 10 {
		t.Errorf("only %d distinct status codes", len(statuses))
	}
}

func TestApplicationMessages(t *testing.T) {
	lines, _ := generate(t, Options{Type: parser.TypeApplication, Lines: 20000, Seed: 5})
	prefixes := map[string]int{"Failed Login: username=": 0, "Successful Login: ": 0, "User Logout: ": 0, `User "`: 0, "has started impersonating": 0}
	noMessage := 0
	for _, line := range lines {
		var obj map[string]any
		if err := json.Unmarshal(line, &obj); err != nil {
			t.Fatal(err)
		}
		msg, ok := obj["message"].(string)
		if !ok {
			noMessage++
			continue
		}
		for p := range prefixes {
			if bytes.Contains([]byte(msg), []byte(p)) {
				prefixes[p]++
			}
		}
	}
	for p, n := range prefixes {
		if n == 0 {
			t.Errorf("no message containing %q", p)
		}
	}
	if noMessage == 0 {
		t.Error("every line has a message key; real files have noise lines without one")
	}
}

// TestAuthLines checks that generated auth lines are what GitLab's
// Rack::Attack subscriber writes: detected as auth, parsed without error,
// with every match type, user-keyed throttles carrying UserID and Username,
// and typed columns holding numbers.
func TestAuthLines(t *testing.T) {
	lines, _ := generate(t, Options{Type: parser.TypeAuth, Lines: 5000, Seed: 11})
	matchTypes := map[string]int{}
	withUser, posts := 0, 0
	var r parser.Record
	p := new(parser.Auth)
	for i, line := range lines {
		if got := parser.Detect(line); got != parser.TypeAuth {
			t.Fatalf("line %d detected as %s: %s", i+1, got, line)
		}
		if err := p.Parse(line, &r); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, line)
		}
		mt, _ := r.Get(parser.ColMatchType)
		matchTypes[string(mt)]++
		code, hasCode := r.Int(parser.ColResponseCode)
		switch string(mt) {
		case "throttle":
			if code != 429 {
				t.Fatalf("line %d: throttle with ResponseCode %d", i+1, code)
			}
		case "blocklist":
			if code != 403 {
				t.Fatalf("line %d: blocklist with ResponseCode %d", i+1, code)
			}
		case "track":
			if hasCode {
				t.Fatalf("line %d: track with a ResponseCode", i+1)
			}
		}
		_, hasID := r.Int(parser.ColUserID)
		_, hasName := r.Get(parser.ColUsername)
		if hasID != hasName {
			t.Fatalf("line %d: UserID and Username not together: %s", i+1, line)
		}
		if hasID {
			withUser++
		}
		if v, _ := r.Get(parser.ColRequestVerb); string(v) == "POST" {
			posts++
		}
	}
	for _, mt := range []string{"throttle", "blocklist", "track"} {
		if matchTypes[mt] == 0 {
			t.Errorf("no %s line in %d lines (%v)", mt, len(lines), matchTypes)
		}
	}
	if withUser == 0 || withUser == len(lines) || posts == 0 {
		t.Errorf("%d of %d lines with a user, %d POSTs: want some of each", withUser, len(lines), posts)
	}
}

func TestSizes(t *testing.T) {
	tests := []struct {
		name      string
		opts      Options
		wantLines int   // exact, or 0
		minBytes  int64 // at least
	}{
		{"lines", Options{Type: parser.TypeAudit, Lines: 1234, Seed: 1}, 1234, 0},
		{"bytes", Options{Type: parser.TypeAccess, Bytes: 1 << 20, Seed: 1}, 0, 1 << 20},
		{"lines first", Options{Type: parser.TypeApplication, Lines: 10, Bytes: 1 << 30, Seed: 1}, 10, 0},
		{"bytes first", Options{Type: parser.TypeAudit, Lines: 1 << 30, Bytes: 100_000, Seed: 1}, 0, 100_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, st := generate(t, tt.opts)
			if tt.wantLines != 0 && len(lines) != tt.wantLines {
				t.Errorf("got %d lines, want %d", len(lines), tt.wantLines)
			}
			if st.Bytes < tt.minBytes {
				t.Errorf("got %d bytes, want at least %d", st.Bytes, tt.minBytes)
			}
			if tt.opts.Bytes > 0 && st.Bytes-int64(len(lines[len(lines)-1]))-1 >= tt.opts.Bytes {
				t.Errorf("got %d bytes: the last line was not needed to reach %d", st.Bytes, tt.opts.Bytes)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, typ := range []parser.Type{parser.TypeAudit, parser.TypeApplication, parser.TypeAccess, parser.TypeAuth} {
		var a, b, c bytes.Buffer
		for _, x := range []struct {
			w    io.Writer
			seed uint64
		}{{&a, 42}, {&b, 42}, {&c, 43}} {
			if _, err := Write(x.w, Options{Type: typ, Lines: 2000, Seed: x.seed}); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: same seed, different output", typ)
		}
		if bytes.Equal(a.Bytes(), c.Bytes()) {
			t.Errorf("%s: different seeds, same output", typ)
		}
	}
}

func TestWriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	st, err := WriteFile(path, Options{Type: parser.TypeAudit, Lines: 500, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
	}
	if n != 500 || st.Lines != 500 {
		t.Errorf("file has %d lines, Stats says %d, want 500", n, st.Lines)
	}
	fi, _ := f.Stat()
	if fi.Size() != st.Bytes {
		t.Errorf("file has %d bytes, Stats says %d", fi.Size(), st.Bytes)
	}
}

func TestErrors(t *testing.T) {
	if _, err := Write(io.Discard, Options{Type: parser.TypeAudit}); err == nil {
		t.Error("Write with no limit: want an error")
	}
	if _, err := Write(io.Discard, Options{Type: parser.TypeUnknown, Lines: 1}); err == nil {
		t.Error("Write of TypeUnknown: want an error")
	}
	if _, err := WriteFile(filepath.Join(t.TempDir(), "no", "such", "dir"), Options{Type: parser.TypeAudit, Lines: 1}); err == nil {
		t.Error("WriteFile into a missing directory: want an error")
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, typ := range []parser.Type{parser.TypeAudit, parser.TypeApplication, parser.TypeAccess, parser.TypeAuth} {
		b.Run(typ.String(), func(b *testing.B) {
			g, err := NewGenerator(typ, 1)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var line []byte
			var n int64
			for b.Loop() {
				line = g.AppendLine(line[:0])
				n += int64(len(line)) + 1
			}
			b.SetBytes(n / int64(b.N))
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
