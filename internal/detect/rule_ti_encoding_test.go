package detect

import (
	"bytes"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// utf16File returns s in UTF-16 with its byte order mark, little- or
// big-endian, as Windows tools write a text file.
func utf16File(s string, bigEndian bool) []byte {
	var b bytes.Buffer
	for _, u := range append([]uint16{0xfeff}, utf16.Encode([]rune(s))...) {
		if bigEndian {
			b.Write([]byte{byte(u >> 8), byte(u)})
		} else {
			b.Write([]byte{byte(u), byte(u >> 8)})
		}
	}
	return b.Bytes()
}

// TestTIRuleUTF16: an indicator file in UTF-16 (either byte order) is
// named as such once, with the iconv command that makes it UTF-8, in the
// warning (detect, run) and the file report (check), instead of every
// line being refused. The command, run, gives a file the rule loads.
func TestTIRuleUTF16(t *testing.T) {
	const list = "# indicators\r\n203.0.113.7\r\n198.51.100.0/24\r\n"
	for _, tc := range []struct {
		name, file, enc string
		bigEndian       bool
	}{
		{"little-endian", "ti.txt", "UTF-16LE", false},
		{"big-endian", "ti.txt", "UTF-16BE", true},
		{"a name to quote", "it's -v.txt", "UTF-16LE", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tc.file)
			if err := os.WriteFile(path, utf16File(list, tc.bigEndian), 0o600); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			env := &Env{Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn})), Now: time.Now}
			r, err := newTIRule(NewParams("sentinel.ti_malicious_ip", map[string]string{"ti_file": path}, nil), env)
			if err != nil {
				t.Fatal(err)
			}
			fix := "convert it with iconv -f UTF-16 -t UTF-8 " + shellArg(path) + " > " + shellArg(path+".utf8") + " && mv " + shellArg(path+".utf8") + " " + shellArg(path)
			for _, want := range []string{"is UTF-16, not UTF-8", "encoding=" + tc.enc, "must be UTF-8"} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("warning lacks %q:\n%s", want, logs.String())
				}
			}
			if strings.Contains(logs.String(), "indicator skipped") || strings.Contains(logs.String(), "lists no IP") {
				t.Errorf("the lines are refused one by one:\n%s", logs.String())
			}
			rep := r.(FileReporter).FileReport()
			want := path + " is " + tc.enc + " (it starts with a UTF-16 byte order mark, as Windows tools write), not UTF-8, so the rule matches nothing: " + fix
			if rep.Unusable != want || rep.SkippedTotal != 0 || len(rep.Skipped) != 0 {
				t.Errorf("report %+v\nwant Unusable %q", rep, want)
			}
			if _, err := exec.LookPath("iconv"); err != nil {
				t.Skip("no iconv to run the command with")
			}
			cmd := exec.Command("sh", "-c", strings.TrimPrefix(fix, "convert it with "))
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", fix, err, out)
			}
			logs.Reset()
			if err := r.(Reloader).Reload(); err != nil {
				t.Fatal(err)
			}
			if rep := r.(FileReporter).FileReport(); rep.Unusable != "" || rep.SkippedTotal != 0 {
				t.Errorf("after the conversion: report %+v\n%s", rep, logs.String())
			}
			if _, ok := r.(*tiRule).set.Load().match(netip.MustParseAddr("198.51.100.9")); !ok {
				t.Error("after the conversion 198.51.100.0/24 is not listed")
			}
		})
	}
}
