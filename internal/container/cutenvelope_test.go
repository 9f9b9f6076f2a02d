package container

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestDecoderCutEnvelope: a gitlab-logger line longer than MaxLineBytes,
// split into CRI P records or Docker partials, comes back as the GitLab
// line cut to MaxLineBytes with its subcomponent and Cut set, as a plain
// file's line is cut; a short line is not cut.
func TestDecoderCutEnvelope(t *testing.T) {
	const max = 1000
	audit := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","details":"` + strings.Repeat("a", 30000) + `"}`
	text := "2024-05-10T17:46:49.065Z: " + strings.Repeat("b\\\"c\t", 3000) // quoted by the logger, escapes throughout (ASCII: Docker splits bytes, and JSON replaces a cut character)
	for _, tc := range []struct {
		name, sub, text string
		parts           int
		want            string
		cut             bool
	}{
		{"embedded object", "audit_json", audit, 40, audit[:max], true},
		{"quoted line", "application", text, 40, text[:max], true},
		{"short", "audit_json", audit[:200] + `"}`, 3, audit[:200] + `"}`, false},
	} {
		env := loggerLine(tc.sub, tc.text, time.Unix(0, 0).UTC())
		recs := []sampleRecord{{sub: tc.sub, text: tc.text, stream: "stdout", parts: tc.parts}}
		for fm, file := range map[Format][]byte{CRI: writeCRI(recs), Docker: writeDocker(recs)} {
			d := Decoder{Format: fm, MaxLineBytes: max}
			var got []Line
			for _, l := range bytes.Split(bytes.TrimSuffix(file, []byte("\n")), []byte("\n")) {
				out, st, err := d.Decode(l)
				if err != nil || st == Malformed {
					t.Fatalf("%s %s: %v %v", tc.name, fm, st, err)
				}
				if st == Complete {
					got = append(got, Line{Text: bytes.Clone(out.Text), Subcomponent: bytes.Clone(out.Subcomponent), Cut: out.Cut})
				}
			}
			if len(got) != 1 {
				t.Fatalf("%s %s: %d lines, want 1 (envelope %d bytes)", tc.name, fm, len(got), len(env))
			}
			g := got[0]
			wantText := tc.want
			if string(g.Text) != wantText || string(g.Subcomponent) != tc.sub || g.Cut != tc.cut {
				for k := range min(len(g.Text), len(wantText)) {
					if g.Text[k] != wantText[k] {
						t.Logf("first difference at %d: %q vs %q", k, g.Text[k:min(k+20, len(g.Text))], wantText[k:min(k+20, len(wantText))])
						break
					}
				}
				t.Errorf("%s %s: got %d bytes %.40q… sub %q cut %v, want %d bytes sub %q cut %v",
					tc.name, fm, len(g.Text), g.Text, g.Subcomponent, g.Cut, len(wantText), tc.sub, tc.cut)
			}
		}
	}
}

// TestParseCutEnvelope: where the cut falls.
func TestParseCutEnvelope(t *testing.T) {
	env := `{"date":"2024-05-01T12:00:00Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":{"a":"bcd"}}`
	q := `{"date":"d","component": "gitlab","subcomponent":"application","level":"info","file":"f","message":"x\u00e9\ty"}`
	for _, tc := range []struct {
		line, msg, sub, err string
	}{
		{env[:len(env)-1], `{"a":"bcd"}`, "audit_json", ""},
		{env[:len(env)-5], `{"a":"b`, "audit_json", ""},
		{env[:strings.Index(env, `"message":`)+len(`"message":`)], ``, "audit_json", ""},
		{env[:strings.Index(env, `"message":`)+3], ``, "", "cut before"},
		{env[:40], ``, "", "cut before"},
		{q[:len(q)-1], "x\u00e9\ty", "application", ""},
		{q[:len(q)-4], "x\u00e9", "application", ""}, // within \t
		{q[:len(q)-9], "x", "application", ""},       // within \u00e9
		{`{"message":{"a"`, ``, "", `no "subcomponent"`},
	} {
		e, _, err := ParseCutEnvelope([]byte(tc.line), nil)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.line, err, tc.err)
			}
			continue
		}
		if err != nil || string(e.Message) != tc.msg || string(e.Subcomponent) != tc.sub {
			t.Errorf("%q: %q %q %v, want %q %q", tc.line, e.Message, e.Subcomponent, err, tc.msg, tc.sub)
		}
	}
}
