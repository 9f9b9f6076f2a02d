package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
)

// binaryFiles returns, by what the error refusing them calls them, files of
// the binary formats send, parse and detect refuse by their magic number:
// real ones where Go or the system writes them (an ELF executable, PNG,
// JPEG and GIF images), else their headers as the formats define them,
// each followed by text with line breaks, which read as lines would pass
// for log lines.
func binaryFiles(t *testing.T) map[string][]byte {
	t.Helper()
	tail := []byte("\n{\"severity\":\"INFO\",\"time\":\"2024-05-31T14:32:44.108Z\",\"message\":\"x\"}\nhello\n")
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	var pngb, jpgb, gifb bytes.Buffer
	if err := png.Encode(&pngb, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jpgb, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gifb, img, nil); err != nil {
		t.Fatal(err)
	}
	exe, err := os.ReadFile(os.Args[0]) // this test binary
	if err != nil {
		t.Fatal(err)
	}
	pe := make([]byte, 0x84) // a DOS header whose e_lfanew points to "PE\0\0"
	copy(pe, "MZ\x90\x00\x03")
	binary.LittleEndian.PutUint32(pe[0x3c:], 0x80)
	copy(pe[0x80:], "PE\x00\x00")
	class := []byte{0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x34} // Java 8: major 52
	fat := []byte{0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x02}   // two architectures
	files := map[string][]byte{
		"a PNG image":                    pngb.Bytes(),
		"a JPEG image":                   jpgb.Bytes(),
		"a GIF image":                    gifb.Bytes(),
		"a Windows executable (PE/COFF)": pe,
		"a Java class file":              class,
		"a Mach-O universal executable":  fat,
		"a Mach-O executable":            {0xcf, 0xfa, 0xed, 0xfe, 0x07, 0x00, 0x00, 0x01},
		"a WebAssembly module":           []byte("\x00asm\x01\x00\x00\x00"),
		"a PDF document":                 []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj"),
		"an SQLite database":             append([]byte("SQLite format 3\x00\x10\x00\x01\x01\x00\x40\x20\x20"), make([]byte, 84)...),
	}
	if bytes.HasPrefix(exe, []byte("\x7fELF")) {
		files["an ELF executable"] = exe[:4096]
	} else {
		files["an ELF executable"] = []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00")
	}
	for what, b := range files {
		files[what] = append(append([]byte(nil), b...), tail...)
	}
	return files
}

// TestBinaryInputRefused: a binary file (an executable, an image, a PDF, an
// SQLite database) given to send, parse or detect, as a file, on standard
// input or gzip-compressed, is refused before any line is read, as tar
// and zip data are, by its magic number: the error names the input and
// what it holds, and nothing is sent or printed. Before, /bin/ls was read
// as lines, sent, and only warned about afterwards (fresh-user trial).
func TestBinaryInputRefused(t *testing.T) {
	for what, data := range binaryFiles(t) {
		dir := t.TempDir()
		file := writeFile(t, filepath.Join(dir, "input.log"), string(data))
		gz := writeFile(t, filepath.Join(dir, "input.log.1"), string(gziptest.Compress(t, data)))
		for _, in := range []struct {
			name, arg, stdin, want string
		}{
			{"file", file, "", file + ": " + what + ", not a log file"},
			{"stdin", "-", string(data), "stdin: " + what + ", not a log file"},
			{"gzip", gz, "", gz + ": gzip data whose content is " + what + ", not a log file"},
		} {
			for _, cmd := range [][]string{{"parse"}, {"detect"}, {"send", "--to", "-"}} {
				t.Run(what+"/"+in.name+"/"+cmd[0], func(t *testing.T) {
					var stdout, stderr bytes.Buffer
					err := runSendCollect(context.Background(), strings.NewReader(in.stdin), &stdout, &stderr, append(cmd, in.arg)...)
					if err == nil {
						t.Fatalf("%s read %s; stdout:\n%.300q", cmd[0], what, stdout.String())
					}
					if !strings.Contains(err.Error(), in.want) {
						t.Errorf("error = %v\nwant it to say %s", err, in.want)
					}
					if stdout.Len() > 0 {
						t.Errorf("%s printed or sent lines of %s:\n%.300q", cmd[0], what, stdout.String())
					}
				})
			}
		}
	}
}

// TestBinaryLookalikesRead: logs and text that share their first bytes
// with a binary format are read as lines, as before, by send, parse and
// detect: a log padded with NUL bytes (after a crash, or by copytruncate;
// at its start or between lines: WebAssembly's magic number starts with a
// NUL byte), a line that starts with "MZ" or "GIF", and data too short to
// tell a Java class from a Mach-O file.
func TestBinaryLookalikesRead(t *testing.T) {
	const good = `{"severity":"INFO","time":"2024-05-31T14:32:44.108Z","message":"x"}`
	nul := strings.Repeat("\x00", 4096)
	for _, tc := range []struct {
		name, data string
		lines      int // lines read: parse's count
	}{
		{"NUL padding between lines", good + "\n" + nul + good + "\n" + good + "\n", 3},
		{"NUL padding at the start", nul + good + "\n" + good + "\n", 2},
		{"NUL bytes only up to a line", "\x00\x00\x00\x00" + good + "\n", 1},
		{"a line starting with MZ", "MZ-1234 opened by root\n" + good + "\n", 2},
		{"a line starting with GIF", "GIF8 is not a GIF header\n", 1},
		{"cut after 0xcafebabe", "\xca\xfe\xba\xbe\n", 1},
	} {
		path := writeFile(t, filepath.Join(t.TempDir(), "application_json.log"), tc.data)
		for _, cmd := range [][]string{{"parse"}, {"detect"}, {"send", "--to", "-"}} {
			t.Run(tc.name+"/"+cmd[0], func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, append(cmd, path)...)
				if err != nil && !strings.Contains(err.Error(), "no line parsed") {
					t.Fatalf("%s: %v\n%s", cmd[0], err, stderr.String())
				}
				var n int
				switch cmd[0] {
				case "parse", "send": // a JSON object, a message per line
					n = strings.Count(stdout.String(), "\n")
				case "detect":
					if !strings.Contains(stderr.String(), "detect: read ") {
						t.Fatalf("no summary:\n%s", stderr.String())
					}
					s := stderr.String()
					s = s[strings.Index(s, "detect: read ")+len("detect: read "):]
					if _, err := fmt.Sscan(s, &n); err != nil {
						t.Fatal(err)
					}
				}
				if n != tc.lines {
					t.Errorf("%s read %d lines, want %d:\n%s%s", cmd[0], n, tc.lines, stdout.String(), stderr.String())
				}
			})
		}
	}
}
