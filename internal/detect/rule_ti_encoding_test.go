package detect

import (
	"bytes"
	"compress/gzip"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// utf16File returns s in UTF-16, little- or big-endian, with its byte
// order mark as Windows tools write a text file, or without one.
func utf16File(s string, bigEndian, bom bool) []byte {
	var b bytes.Buffer
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xfeff}, units...)
	}
	for _, u := range units {
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
	const bomWhy = " (it starts with a UTF-16 byte order mark, as Windows tools write)"
	const noBOMWhy = " (every other byte is NUL: UTF-16 without a byte order mark)"
	for _, tc := range []struct {
		name, file, enc string
		bigEndian, bom  bool
		from, why       string // iconv's -f; how the encoding was seen
	}{
		{"little-endian", "ti.txt", "UTF-16LE", false, true, "UTF-16", bomWhy},
		{"big-endian", "ti.txt", "UTF-16BE", true, true, "UTF-16", bomWhy},
		{"a name to quote", "it's -v.txt", "UTF-16LE", false, true, "UTF-16", bomWhy},
		{"little-endian without a byte order mark", "ti.txt", "UTF-16LE", false, false, "UTF-16LE", noBOMWhy},
		{"big-endian without a byte order mark", "ti.txt", "UTF-16BE", true, false, "UTF-16BE", noBOMWhy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tc.file)
			if err := os.WriteFile(path, utf16File(list, tc.bigEndian, tc.bom), 0o600); err != nil {
				t.Fatal(err)
			}
			r, logs := tiRuleLogged(t, path)
			fix := "convert it with iconv -f " + tc.from + " -t UTF-8 " + shellArg(path) + " > " + shellArg(path+".utf8") + " && mv " + shellArg(path+".utf8") + " " + shellArg(path)
			for _, want := range []string{"is UTF-16, not UTF-8", "encoding=" + tc.enc, "must be UTF-8"} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("warning lacks %q:\n%s", want, logs.String())
				}
			}
			if strings.Contains(logs.String(), "indicator skipped") || strings.Contains(logs.String(), "lists no IP") {
				t.Errorf("the lines are refused one by one:\n%s", logs.String())
			}
			rep := r.(FileReporter).FileReport()
			want := path + " is " + tc.enc + tc.why + ", not UTF-8, so the rule matches nothing: " + fix
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

// TestTIRuleGzip: a gzip-compressed indicator file (a feed saved as
// downloaded) is named as such once, with the zcat command that makes it
// text, instead of every line being refused (with a CSV hint); the
// command, run, gives a file the rule loads.
func TestTIRuleGzip(t *testing.T) {
	const list = "# indicators\n203.0.113.7\n198.51.100.0/24\n"
	for _, tc := range []struct{ name, file, plain string }{
		{"named .gz", "ti.txt.gz", "ti.txt"},              // decompressed beside it
		{"named as text", "ti.txt", "ti.txt"},             // decompressed in place
		{"a name to quote", "it's -v.txt", "it's -v.txt"}, // in place, quoted
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path, plain := filepath.Join(dir, tc.file), filepath.Join(dir, tc.plain)
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			if _, err := zw.Write([]byte(list)); err != nil {
				t.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, gz.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			r, logs := tiRuleLogged(t, path)
			fix := "decompress it with zcat " + shellArg(path) + " > " + shellArg(path+".txt") + " && mv " + shellArg(path+".txt") + " " + shellArg(path)
			if path != plain {
				fix = "decompress it with zcat " + shellArg(path) + " > " + shellArg(plain) + " and set ti_file to " + plain
			}
			for _, want := range []string{"is gzip-compressed", "must be plain text; decompress it with zcat "} { // slog quotes the command
				if !strings.Contains(logs.String(), want) {
					t.Errorf("warning lacks %q:\n%s", want, logs.String())
				}
			}
			if strings.Contains(logs.String(), "indicator skipped") || strings.Contains(logs.String(), "CSV") {
				t.Errorf("the lines are refused one by one:\n%s", logs.String())
			}
			rep := r.(FileReporter).FileReport()
			want := path + " is gzip-compressed (it starts with gzip's magic number), not a text file, so the rule matches nothing: " + fix
			if rep.Unusable != want || rep.SkippedTotal != 0 || len(rep.Skipped) != 0 {
				t.Errorf("report %+v\nwant Unusable %q", rep, want)
			}
			if _, err := exec.LookPath("zcat"); err != nil {
				t.Skip("no zcat to run the command with")
			}
			cmd := exec.Command("sh", "-c", strings.TrimSuffix(strings.TrimPrefix(fix, "decompress it with "), " and set ti_file to "+plain))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", fix, err, out)
			}
			r, logs = tiRuleLogged(t, plain)
			if rep := r.(FileReporter).FileReport(); rep.Unusable != "" || rep.SkippedTotal != 0 {
				t.Errorf("after decompressing: report %+v\n%s", rep, logs.String())
			}
			if _, ok := r.(*tiRule).set.Load().match(netip.MustParseAddr("198.51.100.9")); !ok {
				t.Error("after decompressing 198.51.100.0/24 is not listed")
			}
		})
	}
}
