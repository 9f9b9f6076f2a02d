package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/sniff"
)

// cutSample returns 4000 distinct log lines (about 600KB) that compress
// about 3:1, so that a file cut mid-way holds many complete lines.
func cutSample() []string {
	rng := rand.New(rand.NewSource(1))
	lines := make([]string, 4000)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"severity":"INFO","time":"2024-05-01T10:%02d:%02d.000Z","correlation_id":"%016x","meta.user":"user%d","message":"line %d"}`,
			i/60%60, i%60, rng.Uint64(), rng.Intn(500), i)
	}
	return lines
}

// completeLines returns the complete ("\n"-ended) lines of data.
func completeLines(data []byte) []string {
	i := bytes.LastIndexByte(data, '\n')
	if i < 0 {
		return nil
	}
	return strings.Split(string(data[:i]), "\n")
}

// TestCompressedCutRecovers: a gzip, bzip2, xz or zstd file cut short
// mid-stream gives every complete line its decoder recovers before the
// cut (not the one cut off), the original lines in order, at least the
// complete lines the real
// gzip -dc, bzip2 -dc, xz -dc and zstd -dc recover from the same file,
// and then an error naming the file, the line, the compression and that
// the data ends early. (xz: XZ Embedded's decoder holds back the last 20
// input bytes it cannot decode on their own, so it is compared with
// xz -dc of the file cut 21 bytes earlier.)
func TestCompressedCutRecovers(t *testing.T) {
	lines := cutSample()
	plain := []byte(strings.Join(lines, "\n") + "\n")
	dir := t.TempDir()
	src := writeFile(t, filepath.Join(dir, "audit_json.log"), string(plain))
	for _, tc := range []struct {
		kind, ext string
		compress  []string // writes src compressed to stdout
		slack     int      // compressed bytes the decoder may hold back
	}{
		{"gzip", ".gz", []string{"gzip", "-c"}, 0},
		{"bzip2", ".bz2", []string{"bzip2", "-1", "-c"}, 0}, // 100k blocks: several in the file
		{"xz", ".xz", []string{"xz", "-c"}, 21},
		{"zstd", ".zst", []string{"zstd", "-q", "-c"}, 0},
	} {
		for _, frac := range []float64{0.3, 0.5, 0.9} {
			t.Run(fmt.Sprintf("%s/%.0f%%", tc.kind, frac*100), func(t *testing.T) {
				if _, err := exec.LookPath(tc.compress[0]); err != nil {
					t.Skipf("%s is not installed: apt-get install %s", tc.compress[0], tc.compress[0])
				}
				whole, err := exec.Command(tc.compress[0], append(tc.compress[1:], src)...).Output()
				if err != nil {
					t.Fatalf("%s: %v", tc.compress, err)
				}
				cutAt := int(float64(len(whole)) * frac)
				cut := writeFile(t, filepath.Join(t.TempDir(), "audit_json.log.1"+tc.ext), string(whole[:cutAt]))
				ref := cut
				if tc.slack > 0 {
					ref = writeFile(t, filepath.Join(t.TempDir(), "ref"+tc.ext), string(whole[:cutAt-tc.slack]))
				}
				// The tool fails on the cut file but writes what it recovered.
				toolOut, _ := exec.Command(tc.compress[0], "-dc", ref).Output()
				want := completeLines(toolOut)

				var got []string
				err = readInput(context.Background(), cut, nil, 0, func(_ string, _ int, line []byte, _ int) error {
					got = append(got, string(line))
					return nil
				})
				if len(got) == 0 {
					t.Fatalf("no line recovered (%s -dc recovers %d)", tc.compress[0], len(want))
				}
				if len(got) < len(want) {
					t.Errorf("%d lines recovered, want at least the %d that %s -dc recovers", len(got), len(want), tc.compress[0])
				}
				for i, l := range got { // whole lines only: the one cut off is not passed on
					if l != lines[i] {
						t.Fatalf("line %d = %q, want %q", i+1, l, lines[i])
					}
				}
				// The line read when the data ended: the one after the last
				// recovered.
				at := fmt.Sprintf("%s:%d: read: %s data ends early", cut, len(got)+1, tc.kind)
				if err == nil || !strings.Contains(err.Error(), at) {
					t.Fatalf("error = %v, want one containing %q", err, at)
				}
				complete := len(got)
				if want := fmt.Sprintf("; the %d complete %s before %s read", complete, plural(complete, "line", "lines"), plural(complete, "was", "were")); !strings.Contains(err.Error(), want) {
					t.Errorf("error = %v, want one containing %q", err, want)
				}
			})
		}
	}
}

// TestCompressedDamaged: a compressed file whose data is damaged (not
// cut) is an error naming the file, the compression and the position in
// the decompressed data, not lines of garbage.
func TestCompressedDamaged(t *testing.T) {
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("xz is not installed")
	}
	lines := cutSample()
	src := writeFile(t, filepath.Join(t.TempDir(), "a.log"), strings.Join(lines, "\n")+"\n")
	whole, err := exec.Command("xz", "-c", src).Output()
	if err != nil {
		t.Fatal(err)
	}
	for i := len(whole) / 2; i < len(whole)/2+64; i++ {
		whole[i] ^= 0x55
	}
	bad := writeFile(t, filepath.Join(t.TempDir(), "a.log.1.xz"), string(whole))
	var got []string
	err = readInput(context.Background(), bad, os.Stdin, 0, func(_ string, _ int, line []byte, _ int) error {
		got = append(got, string(line))
		return nil
	})
	want := ": read: xz data is damaged after "
	if err == nil || !strings.HasPrefix(err.Error(), bad+":") || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v, want one containing %q", err, want)
	}
	for i, l := range got[:max(0, len(got)-1)] {
		if l != lines[i] {
			t.Fatalf("line %d = %q, want %q", i+1, l, lines[i])
		}
	}
}

// TestXZDictTooLarge: an xz file written with a dictionary over 64MiB
// (xz -9's size; the decoder allocates what the header asks, so larger is
// refused) is an error naming the file and saying what to do.
func TestXZDictTooLarge(t *testing.T) {
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("xz is not installed")
	}
	cmd := exec.Command("xz", "-c", "--lzma2=dict=200MiB")
	cmd.Stdin = strings.NewReader(`{"severity":"INFO"}` + "\n")
	data, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	f := writeFile(t, filepath.Join(t.TempDir(), "a.log.1.xz"), string(data))
	err = readInput(context.Background(), f, nil, 0, func(string, int, []byte, int) error { return nil })
	want := f + ": open xz stream: xz: LZMA2 dictionary size exceeds max (written with options this reader does not support, e.g. a dictionary over 64MiB: decompress it with xz -dc and give the plain file)"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

// TestCompressedNameOrHeader: a file named as compressed whose bytes are
// not that compression is refused, naming the file, before any line is
// read (its lines would be binary garbage); one cut inside its gzip
// header, or in its magic number, says it is truncated and that no line
// was read; an empty one reads as empty, with a warning (warn: asReadWarning,
// every line read) from readInput naming the file, that it is empty and
// not valid data of its compression. readInput (parse, send, detect) and
// checkInput (the check before any input is read) agree on the errors.
func TestCompressedNameOrHeader(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	noise := make([]byte, 4000)
	rng.Read(noise)
	noise[0] = 'x' // no magic number by chance
	gz, err := gzipBytes([]byte("{\"message\":\"a\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	gzTwice, err := gzipBytes(gz)
	if err != nil {
		t.Fatal(err)
	}
	var tb, zb bytes.Buffer
	tw := tar.NewWriter(&tb)
	line := []byte("{\"message\":\"a\"}\n")
	tw.WriteHeader(&tar.Header{Name: "audit_json.log", Mode: 0o644, Size: int64(len(line))})
	tw.Write(line)
	tw.Close()
	tarGz, err := gzipBytes(tb.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(&zb)
	if w, err := zw.Create("audit_json.log"); err == nil {
		w.Write(line)
	}
	zw.Close()
	zipped := zb.Bytes()
	for _, tc := range []struct{ name, file, data, want string }{
		{"random bytes named .gz", "x.gz", string(noise),
			": named .gz, but its bytes are not gzip data (they do not start with gzip's magic number): is it the right file? A file of plain log lines must not be named .gz: rename it, or give it on standard input"},
		{"text named .bz2", "audit_json.log.2.bz2", "{}\n", ": named .bz2, but its bytes are not bzip2 data"},
		{"text named .xz", "a.log.xz", "{}\n", ": named .xz, but its bytes are not xz data"},
		{"text named .zst", "a.log.zst", "{}\n", ": named .zst, but its bytes are not zstd data"},
		{"gzip cut in its header", "audit_json.log.1.gz", string(gz[:5]),
			": gzip data ends early, inside its header (the file is truncated, e.g. a copy cut short): no line was read (unexpected EOF): copy the file again from its source (gzip -t "},
		{"gzip cut in its magic number", "audit_json.log.1.gz", string(gz[:1]),
			": gzip data ends early, inside its header (the file is truncated, e.g. a copy cut short): no line was read (unexpected EOF): copy the file again from its source (gzip -t "},
		{"xz cut in its magic number", "a.log.xz", string(sniff.MagicXZ[:3]), ": xz data ends early, inside its header"},
		{"zstd cut in its magic number", "a.log.zst", string(sniff.MagicZstd[:2]), ": zstd data ends early, inside its header"},
		{"bzip2 cut after its magic number", "a.log.bz2", "BZh", ": bzip2 data ends early, inside its header"},
		{"empty .gz", "empty.gz", "", ""},
		{"empty .bz2", "a.log.bz2", "", ""},
		{"empty .xz", "a.log.xz", "", ""},
		{"empty .zst", "a.log.zst", "", ""},
		// Under a name without a compression suffix: the bytes decide.
		{"gzip magic, then no gzip header", "audit_json.log.1", "\x1f\x8b\x00\x00 not gzip\n",
			": starts with gzip's magic number but is not gzip data (gzip: invalid header): the file is damaged, or holds other data; check it with gzip -t "},
		{"gzip of gzip", "audit_json.log.1", string(gzTwice),
			": is gzip data whose content is gzip data again (compressed twice), which is not read as log lines (gzip, bzip2, xz and zstd are): decompress it first (gzip -dc "},
		{"tar.gz", "logs.log", string(tarGz),
			": is gzip data whose content is a tar archive, not a log file: its lines would be read as garbage; extract it (tar -xf "},
		{"plain tar", "logs.log", tb.String(),
			": is a tar archive, not a log file: its lines would be read as garbage; extract it (tar -xf "},
		{"zip", "audit_json.log", string(zipped),
			": is zip data, which is not read as log lines (gzip, bzip2, xz and zstd are): decompress it first (unzip -p "},
		{"lz4", "audit_json.log", "\x04\x22\x4d\x18\x64\x40\xa7rest",
			": is lz4 data, which is not read as log lines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), tc.file), tc.data)
			n := 0
			rerr := readInput(context.Background(), path, nil, 0, func(string, int, []byte, int) error { n++; return nil })
			_, cerr := checkInput(path)
			if kind := extKinds[filepath.Ext(tc.file)]; tc.want == "" && tc.data == "" {
				warn := path + ": warning: read as empty, no line: the file is empty (0 bytes), which is not valid " + kind + " data (" + kind + " -t calls it an error); probably a failed copy or compression"
				if w := asReadWarning(rerr); w == nil || !strings.HasPrefix(w.Error(), warn) {
					t.Errorf("readInput: %v\nwant the warning %s", rerr, warn)
				}
				rerr = nil
			}
			for _, err := range []error{rerr, cerr} {
				if tc.want == "" {
					if err != nil {
						t.Errorf("error %v, want none", err)
					}
					continue
				}
				if err == nil || err.Error() != path+tc.want && !strings.HasPrefix(err.Error(), path+tc.want) {
					t.Errorf("error = %v\nwant      %s%s", err, path, tc.want)
				}
			}
			if n != 0 {
				t.Errorf("%d lines read, want none", n)
			}
		})
	}
}

// writeCopy writes data to the file path, gzipped when path ends in
// .gz, as a rotated copy is, and returns path.
func writeCopy(t *testing.T, path, data string) string {
	t.Helper()
	if strings.HasSuffix(path, ".gz") {
		z, err := gzipBytes([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		data = string(z)
	}
	return writeFile(t, path, data)
}

// gzipBytes returns b gzip-compressed.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	err := zw.Close()
	return buf.Bytes(), err
}
