package container

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseCRI(t *testing.T) {
	tests := []struct {
		line, time, stream, content string
		partial                     bool
		err                         bool
	}{
		{line: "2024-05-01T12:00:00.123456789Z stdout F hello world", time: "2024-05-01T12:00:00.123456789Z", stream: "stdout", content: "hello world"},
		{line: "2024-05-01T12:00:00.123456789+02:00 stderr P part", time: "2024-05-01T12:00:00.123456789+02:00", stream: "stderr", content: "part", partial: true},
		{line: "2024-05-01T12:00:00Z stdout F", time: "2024-05-01T12:00:00Z", stream: "stdout"},
		{line: "2024-05-01T12:00:00Z stdout F ", time: "2024-05-01T12:00:00Z", stream: "stdout"},
		{line: "2024-05-01T12:00:00Z stdout F:x  two spaces", time: "2024-05-01T12:00:00Z", stream: "stdout", content: " two spaces"},
		{line: "2024-05-01T12:00:00Z stdin F x", err: true},
		{line: "2024-05-01T12:00:00Z stdout X x", err: true},
		{line: "2024-05-01T12:00:00Z stdout FP x", err: true},
		{line: "2024-05-01 12:00:00Z stdout F x", err: true},
		{line: "hello", err: true},
		{line: "", err: true},
	}
	for _, tc := range tests {
		r, err := ParseCRI([]byte(tc.line))
		if tc.err {
			if !errors.Is(err, ErrCRI) {
				t.Errorf("ParseCRI(%q) err = %v, want ErrCRI", tc.line, err)
			}
			continue
		}
		if err != nil || string(r.Time) != tc.time || string(r.Stream) != tc.stream || string(r.Content) != tc.content || r.Partial != tc.partial {
			t.Errorf("ParseCRI(%q) = %q %q %v %q, %v", tc.line, r.Time, r.Stream, r.Partial, r.Content, err)
		}
	}
}

func TestParseDocker(t *testing.T) {
	tests := []struct {
		line, content, stream string
		partial, err          bool
	}{
		{line: `{"log":"hello\n","stream":"stdout","time":"2024-05-01T12:00:00.1Z"}`, content: "hello", stream: "stdout"},
		{line: `{"log":"\u003cb\u003e \"q\" \\ \t","stream":"stderr","time":"t"}`, content: "<b> \"q\" \\ \t", stream: "stderr", partial: true},
		{line: `{"log":"x\n","stream":"stdout","attrs":{"tag":"a"},"time":"t"}`, content: "x", stream: "stdout"},
		{line: `{"log":"\ud83d\ude00\n","stream":"stdout"}`, content: "😀", stream: "stdout"},
		{line: `{"stream":"stdout","time":"t"}`, err: true},
		{line: `{"log":"x\n","stream":"stdout"`, err: true},
		{line: `{"log":12,"stream":"stdout"}`, err: true},
		{line: `not json`, err: true},
		{line: `{"log":"x\n","stream":"stdout"} ,"stream":"stderr","time":"t"}`, err: true},
		{line: `{"log":"x\n","stream":"stdout"}{"log":"y\n","stream":"stdout"}`, err: true},
		{line: `{"log":"x\n","stream":"stderr","stream":"stdout"} ` + "\t", content: "x", stream: "stdout"},
	}
	for _, tc := range tests {
		r, _, err := ParseDocker([]byte(tc.line), nil)
		if tc.err {
			if !errors.Is(err, ErrDocker) {
				t.Errorf("ParseDocker(%q) err = %v, want ErrDocker", tc.line, err)
			}
			continue
		}
		if err != nil || string(r.Content) != tc.content || string(r.Stream) != tc.stream || r.Partial != tc.partial {
			t.Errorf("ParseDocker(%q) = %q %q %v, %v", tc.line, r.Content, r.Stream, r.Partial, err)
		}
	}
}

// TestAppendUnquoted: what strconv.Quote and encoding/json write comes back
// byte for byte.
func TestAppendUnquoted(t *testing.T) {
	for _, s := range []string{"", "plain", "tab\there", "quote \" and \\", "ö ü 日本", "bell\a vt\v nul\x00",
		"bad utf8 \xff\xfe", "line\nbreak\r", "emoji 😀", "\u2028 sep", "<html> & co", "\x7f del"} {
		for name, q := range map[string]string{"strconv.Quote": strconv.Quote(s), "json": mustJSON(s)} {
			if name == "json" && !jsonSafe(s) {
				continue // json.Marshal replaces invalid UTF-8
			}
			got, ok := AppendUnquoted(nil, []byte(q))
			if !ok || string(got) != s {
				t.Errorf("AppendUnquoted(%s) = %q, %v; want %q", q, got, ok, s)
			}
		}
	}
	for _, bad := range []string{``, `"`, `abc`, `"a\"`, `"a\q"`, `"\x4"`, `"\u12"`, `"\U0011ffff"`, `"a"b"`} {
		if _, ok := AppendUnquoted(nil, []byte(bad)); ok {
			t.Errorf("AppendUnquoted(%s) ok, want failure", bad)
		}
	}
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func jsonSafe(s string) bool { return strconv.Quote(s) != "" && validUTF8(s) }

func validUTF8(s string) bool {
	for _, r := range s {
		if r == '\uFFFD' {
			return false
		}
	}
	return true
}

func TestParseEnvelope(t *testing.T) {
	tests := []struct {
		name, line, sub, msg string
		err                  bool
	}{
		{"object", `{"date":"d","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":{"a":1,"b":{"c":"}"}}}`, "audit_json", `{"a":1,"b":{"c":"}"}}`, false},
		{"string", `{"date":"d","component": "gitlab","subcomponent":"application","level":"info","file":"/f","message":"x \"y\"\tz"}`, "application", "x \"y\"\tz", false},
		// The logger embeds any line that starts with { and ends with }.
		{"invalid embedded", `{"date":"d","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/f","message":{"a":1}x}}`, "audit_json", `{"a":1}x}`, false},
		{"unbalanced embedded", `{"date":"d","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/f","message":{"a":"b}}`, "audit_json", `{"a":"b}`, false},
		{"message first", `{"message":{"a":1},"subcomponent":"auth_json"}`, "auth_json", `{"a":1}`, false},
		{"spaces", ` { "subcomponent" : "auth_json" , "message" : "m" } `, "auth_json", "m", false},
		// The envelope's white space before its brace is not the line's
		// (trial 72: MSG had a trailing space).
		{"spaces around an object", `{ "subcomponent" : "audit_json" , "message" : {"a":1} }`, "audit_json", `{"a":1}`, false},
		{"tab and CR before the brace", "{\"subcomponent\":\"audit_json\",\"message\":{\"a\":1}\t\r}", "audit_json", `{"a":1}`, false},
		// A text line the logger read from a CRLF file: its CR goes, as
		// the tailer drops it from a file's lines (fresh-user trial 266);
		// one inside it stays.
		{"CRLF text line", `{"subcomponent":"application","message":"a\rb: User \"x\" was created\r"}`, "application", "a\rb: User \"x\" was created", false},
		{"no message", `{"subcomponent":"auth_json"}`, "", "", true},
		{"no subcomponent", `{"message":"m"}`, "", "", true},
		{"number", `{"subcomponent":"a","message":12}`, "", "", true},
		{"cut", `{"subcomponent":"a","message":"abc`, "", "", true},
	}
	for _, tc := range tests {
		e, _, err := ParseEnvelope([]byte(tc.line), nil)
		if tc.err {
			if !errors.Is(err, ErrEnvelope) {
				t.Errorf("%s: err = %v, want ErrEnvelope", tc.name, err)
			}
			continue
		}
		if err != nil || string(e.Subcomponent) != tc.sub || string(e.Message) != tc.msg {
			t.Errorf("%s: = %q %q, %v; want %q %q", tc.name, e.Subcomponent, e.Message, err, tc.sub, tc.msg)
		}
	}
}

func TestParsePath(t *testing.T) {
	id := "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b"
	tests := []struct {
		path string
		want Meta
	}{
		{"/var/log/containers/gitlab-webservice-default-6c8d7d9f4-2xkqz_gitlab_webservice-" + id + ".log",
			Meta{Namespace: "gitlab", Pod: "gitlab-webservice-default-6c8d7d9f4-2xkqz", Container: "webservice", ContainerID: id}},
		{"/var/log/containers/p_ns_c-short.log", Meta{Namespace: "ns", Pod: "p", Container: "c-short"}},
		{"/var/log/pods/gitlab_gitlab-webservice-default-6c8d7d9f4-2xkqz_0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/webservice/0.log",
			Meta{Namespace: "gitlab", Pod: "gitlab-webservice-default-6c8d7d9f4-2xkqz", Container: "webservice"}},
		{"/var/log/pods/gitlab_pod_uid/webservice/0.log.20240501-120000", Meta{Namespace: "gitlab", Pod: "pod", Container: "webservice"}},
		{"/var/log/gitlab/gitlab-rails/audit_json.log", Meta{}},
		{"audit_json.log", Meta{}},
	}
	for _, tc := range tests {
		if got := ParsePath(tc.path); got != tc.want {
			t.Errorf("ParsePath(%s) = %+v, want %+v", tc.path, got, tc.want)
		}
	}
}

// TestJoinerMax: a joined line longer than Max is cut to it and reported.
func TestJoinerMax(t *testing.T) {
	j := Joiner{Max: 5}
	if _, done := j.Add([]byte("abc"), true); done {
		t.Fatal("partial completed a line")
	}
	got, done := j.Add([]byte("defgh"), false)
	if !done || string(got) != "abcde" || !j.Cut() {
		t.Errorf("got %q %v cut=%v, want abcde true true", got, done, j.Cut())
	}
	if j.Len() != 8 {
		t.Errorf("Len = %d, want 8, the parts' bytes with those cut", j.Len())
	}
	got, _ = j.Add([]byte("xy"), false)
	if string(got) != "xy" || j.Cut() || j.Len() != 2 {
		t.Errorf("next line %q cut=%v Len=%d", got, j.Cut(), j.Len())
	}
}

// TestDecoderLenAcrossSeed: a line cut when joined has Len, its length as
// its parts came, also when its parts were carried to another Decoder
// (AppendCarry, Seed) before its last came.
func TestDecoderLenAcrossSeed(t *testing.T) {
	d := Decoder{Format: CRI, MaxLineBytes: 4}
	for _, l := range []string{"2024-05-01T12:00:00Z stdout P " + strings.Repeat("a", 5000), "2024-05-01T12:00:00Z stdout P bbb"} {
		if _, st, err := d.Decode([]byte(l)); err != nil || st != Partial {
			t.Fatalf("%.40s: %v %v", l, st, err)
		}
	}
	var c Carry
	d.AppendCarry(&c)
	d2 := Decoder{Format: CRI, MaxLineBytes: 4}
	d2.Seed(&c)
	out, st, err := d2.Decode([]byte("2024-05-01T12:00:00Z stdout F cc"))
	if err != nil || st != Complete || string(out.Text) != "aaaa" || !out.Cut || out.Len != 5005 {
		t.Errorf("got %q %v cut=%v Len=%d (%v), want aaaa, cut, Len 5005", out.Text, st, out.Cut, out.Len, err)
	}
}

// TestDecoderStreams: partial records of stdout and stderr interleaved are
// joined per stream; Carry and Seed move what is pending to another
// Decoder.
func TestDecoderStreams(t *testing.T) {
	d := Decoder{Format: CRI}
	in := []string{
		"2024-05-01T12:00:00Z stdout P ab",
		"2024-05-01T12:00:00Z stderr P 12",
		"2024-05-01T12:00:00Z stderr F 3",
		"2024-05-01T12:00:00Z stdout P cd",
	}
	var got []string
	for _, l := range in {
		out, st, err := d.Decode([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		if st == Complete {
			got = append(got, string(out.Stream)+":"+string(out.Text))
		}
	}
	if len(got) != 1 || got[0] != "stderr:123" {
		t.Fatalf("got %q", got)
	}
	if !d.IsPartial([]byte(in[3])) || d.IsPartial([]byte(in[2])) {
		t.Error("IsPartial wrong")
	}
	var c Carry
	d.AppendCarry(&c)
	if string(c.Stdout) != "abcd" || len(c.Stderr) != 0 {
		t.Fatalf("carry %q %q", c.Stdout, c.Stderr)
	}
	d2 := Decoder{Format: CRI}
	d2.Seed(&c)
	out, st, _ := d2.Decode([]byte("2024-05-01T12:00:00Z stdout F ef"))
	if st != Complete || string(out.Text) != "abcdef" {
		t.Errorf("seeded decoder gave %q %v", out.Text, st)
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range []Format{Plain, CRI, Docker, Auto} {
		if g, err := ParseFormat(f.String()); err != nil || g != f {
			t.Errorf("ParseFormat(%s) = %v, %v", f, g, err)
		}
	}
	if _, err := ParseFormat("json"); err == nil {
		t.Error("ParseFormat(json) succeeded")
	}
}

// TestDecodeCutSeals: a partial record that the reader cut short ends its
// line there: the records that continue the line add nothing, the line
// comes out cut with ReaderCut set, and the next line is joined as usual;
// the seal travels in a Carry.
func TestDecodeCutSeals(t *testing.T) {
	type rec struct {
		line string
		cut  bool
	}
	cases := []struct {
		name       string
		recs       []rec
		carryAfter int // seed a new decoder from the carry after this many records (0: none)
		want       []string
		wantCut    []bool
		wantReader []bool
	}{
		{
			name:       "first part cut",
			recs:       []rec{{"T stdout P abc", true}, {"T stdout P def", false}, {"T stdout F gh", false}, {"T stdout F next", false}},
			want:       []string{"abc", "next"},
			wantCut:    []bool{true, false},
			wantReader: []bool{true, false},
		},
		{
			name:       "middle part cut",
			recs:       []rec{{"T stdout P abc", false}, {"T stdout P def", true}, {"T stdout F gh", false}},
			want:       []string{"abcdef"},
			wantCut:    []bool{true},
			wantReader: []bool{true},
		},
		{
			name:       "last part cut",
			recs:       []rec{{"T stdout P abc", false}, {"T stdout F def", true}, {"T stdout F x", false}},
			want:       []string{"abcdef", "x"},
			wantCut:    []bool{true, false},
			wantReader: []bool{true, false},
		},
		{
			name:       "other stream not sealed",
			recs:       []rec{{"T stdout P abc", true}, {"T stderr P e", false}, {"T stderr F f", false}, {"T stdout F gh", false}},
			want:       []string{"ef", "abc"},
			wantCut:    []bool{false, true},
			wantReader: []bool{false, true},
		},
		{
			name:       "seal carried",
			recs:       []rec{{"T stdout P abc", true}, {"T stdout P def", false}, {"T stdout F gh", false}},
			carryAfter: 2,
			want:       []string{"abc"},
			wantCut:    []bool{true},
			wantReader: []bool{true},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := &Decoder{Format: CRI}
			var got []string
			var cut, reader []bool
			for i, r := range tc.recs {
				if tc.carryAfter > 0 && i == tc.carryAfter {
					var c Carry
					d.AppendCarry(&c)
					d = &Decoder{Format: CRI}
					d.Seed(&c)
				}
				line := strings.Replace(r.line, "T ", "2024-05-01T12:00:00Z ", 1)
				out, st, err := d.DecodeCut([]byte(line), r.cut)
				if err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				if st == Complete {
					got, cut, reader = append(got, string(out.Text)), append(cut, out.Cut), append(reader, out.ReaderCut)
				}
			}
			if !slices.Equal(got, tc.want) || !slices.Equal(cut, tc.wantCut) || !slices.Equal(reader, tc.wantReader) {
				t.Errorf("lines %q cut %v reader cut %v; want %q cut %v reader cut %v", got, cut, reader, tc.want, tc.wantCut, tc.wantReader)
			}
		})
	}
}
