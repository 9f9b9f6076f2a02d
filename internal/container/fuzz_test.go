package container

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// FuzzDecode: no input crashes a Decoder of any format, and a Malformed
// result carries input bytes, never nothing.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("2024-05-01T12:00:00.1Z stdout F {\"subcomponent\":\"audit_json\",\"message\":{\"a\":1}}"))
	f.Add([]byte(`{"log":"x\n","stream":"stdout","time":"t"}`))
	f.Add([]byte("2024-05-01T12:00:00Z stdout P part"))
	f.Add([]byte(`{"subcomponent":"a","message":"\x41\U0001F600"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, fm := range []Format{Plain, CRI, Docker, Auto} {
			d := Decoder{Format: fm, MaxLineBytes: 64}
			for range 2 {
				out, st, err := d.Decode(line)
				if st == Malformed && (err == nil || len(out.Text) == 0 && len(line) > 0 && !bytes.Contains(line, out.Text)) {
					t.Fatalf("%s: malformed without error or text", fm)
				}
			}
		}
	})
}

// FuzzRoundTrip: a line wrapped as gitlab-logger prints it, then as a CRI
// record and as a Docker record, comes back byte-identical with its
// subcomponent.
func FuzzRoundTrip(f *testing.F) {
	f.Add(`{"severity":"INFO","message":"x"}`)
	f.Add("2020-04-09T14:15:09.344Z: Failed Login: username=a\tb ip=1.2.3.4")
	f.Add("bad \xff utf8 \x00")
	f.Fuzz(func(t *testing.T, text string) {
		if text == "" || strings.ContainsAny(text, "\n\r") || strings.TrimSpace(text) != text {
			return // the logger prints nothing for "", runtimes split at newlines
		}
		env := loggerLine("audit_json", text, time.Unix(0, 0).UTC())
		cri := "2024-05-01T12:00:00.1Z stdout F " + env
		log, _ := json.Marshal(env + "\n")
		docker := `{"log":` + string(log) + `,"stream":"stdout","time":"t"}`
		for fm, line := range map[Format]string{CRI: cri, Docker: docker} {
			if fm == Docker && !validUTF8(env) {
				continue // json.Marshal replaces invalid UTF-8, as Docker does
			}
			var d Decoder
			d.Format = fm
			out, st, err := d.Decode([]byte(line))
			if st != Complete || err != nil || string(out.Text) != text || string(out.Subcomponent) != "audit_json" {
				t.Fatalf("%s: %q -> %q %v %v", fm, text, out.Text, st, err)
			}
		}
	})
}
