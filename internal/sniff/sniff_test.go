package sniff

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFormatOf: the magic numbers tell the formats apart, UTF-16 is told
// by its byte order mark or its NUL bytes, and what a log line can start
// with (text, NUL padding, "MZ" or "GIF" in a text line) is no format.
func TestFormatOf(t *testing.T) {
	tar := make([]byte, 300)
	copy(tar[257:], "ustar")
	dos := append([]byte("MZ"), make([]byte, 62)...)
	for _, tc := range []struct {
		name string
		head []byte
		want string // Format.Name; "": none
	}{
		{"zip", []byte("PK\x03\x04rest"), "zip"},
		{"tar", tar, "tar archive"},
		{"ELF", []byte("\x7fELF\x02\x01\x01"), "an ELF executable"},
		{"PE", dos, "a Windows executable (PE/COFF)"},
		{"MZ text", []byte("MZ is a line of text that is long enough to fill the sixty-four bytes looked at"), ""},
		{"Java class", []byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52}, "a Java class file"},
		{"Mach-O universal", []byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2}, "a Mach-O universal executable"},
		{"WebAssembly", []byte("\x00asm\x01\x00\x00\x00"), "a WebAssembly module"},
		{"NUL padding", append(make([]byte, 16), `{"severity":"INFO"}`...), ""},
		{"GIF text", []byte("GIF is a format; this line is text"), ""},
		{"GIF", []byte("GIF89a\x01\x00"), "a GIF image"},
		{"SQLite", []byte("SQLite format 3\x00"), "an SQLite database"},
		{"JSON line", []byte(`{"time":"2024-05-01T12:00:00Z"}`), ""},
		{"UTF-16LE", []byte("\xff\xfe{\x00\"\x00t\x00"), "UTF-16LE text"},
		{"UTF-16BE", []byte("\xfe\xff\x00{\x00\"\x00t"), "UTF-16BE text"},
		{"UTF-16LE without BOM", []byte("{\x00\"\x00t\x00i\x00m\x00e\x00"), "UTF-16LE text (without a byte order mark)"},
		{"UTF-16BE without BOM", []byte("\x00{\x00\"\x00t\x00i\x00m\x00e"), "UTF-16BE text (without a byte order mark)"},
		{"NUL bytes between text", []byte("{\"a\x00\x00b\"}"), ""},
		{"empty", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if f := FormatOf(tc.head); f != nil {
				got = f.Name
			}
			if got != tc.want {
				t.Errorf("FormatOf(%q) = %q, want %q", tc.head[:min(len(tc.head), 16)], got, tc.want)
			}
		})
	}
}

// TestCompression: the four compressions by their magic numbers; bzip2's
// needs its block size digit.
func TestCompression(t *testing.T) {
	for _, tc := range []struct {
		head []byte
		want string
	}{
		{MagicGzip, "gzip"},
		{[]byte("BZh9"), "bzip2"},
		{[]byte("BZh is text"), ""},
		{MagicXZ, "xz"},
		{MagicZstd, "zstd"},
		{[]byte("plain"), ""},
	} {
		if got := Compression(tc.head); got != tc.want {
			t.Errorf("Compression(%q) = %q, want %q", tc.head, got, tc.want)
		}
		if tc.want != "" && !bytes.HasPrefix(tc.head, CompressionMagic(tc.want)) {
			t.Errorf("CompressionMagic(%q) = %q, not a prefix of %q", tc.want, CompressionMagic(tc.want), tc.head)
		}
	}
}

// TestFile reads real files: a gzip file, this test's own executable (ELF
// on Linux), a log file, an empty file, a directory and a missing path.
func TestFile(t *testing.T) {
	dir := t.TempDir()
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("line\n"))
	w.Close()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 4)
	if f, err := os.Open(exe); err == nil {
		f.Read(head)
		f.Close()
	}
	for _, tc := range []struct {
		name, path, comp, format string
	}{
		{"gzip", write("audit_json.log.1.gz", gz.Bytes()), "gzip", ""},
		{"log", write("audit_json.log", []byte(`{"severity":"INFO"}`+"\n")), "", ""},
		{"empty", write("empty.log", nil), "", ""},
		{"directory", dir, "", ""},
		{"missing", filepath.Join(dir, "nothing"), "", ""},
		{"this executable", exe, "", "an ELF executable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.path == exe && string(head) != "\x7fELF" {
				t.Skip("this test's executable is not ELF on this platform")
			}
			comp, f := File(tc.path)
			got := ""
			if f != nil {
				got = f.Name
			}
			if comp != tc.comp || got != tc.format {
				t.Errorf("File(%s) = %q, %q; want %q, %q", tc.path, comp, got, tc.comp, tc.format)
			}
			if f != nil && !strings.Contains(f.What(), "executable") {
				t.Errorf("What() = %q, want it to name an executable", f.What())
			}
		})
	}
}

// TestDangling: symbolic links whose target is missing are counted, the
// first named with its target; a link to a file, a file and a missing
// path are not.
func TestDangling(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "0.log")
	if err := os.WriteFile(file, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"a.log": "/nonexistent/pods/a/0.log", "b.log": "/nonexistent/pods/b/0.log", "ok.log": file} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	paths := []string{file, filepath.Join(dir, "ok.log"), filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log"), filepath.Join(dir, "gone.log")}
	n, link, target := Dangling(paths)
	if n != 2 || link != filepath.Join(dir, "a.log") || target != "/nonexistent/pods/a/0.log" {
		t.Errorf("Dangling = %d, %q, %q; want 2, a.log, its target", n, link, target)
	}
	if n, link, target := Dangling(paths[:2]); n != 0 || link != "" || target != "" {
		t.Errorf("Dangling of a file and a link to it = %d, %q, %q; want none", n, link, target)
	}
}
