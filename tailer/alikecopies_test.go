package tailer

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRestartCompressedBesideAlikePlain: while the agent was stopped, the
// checkpoint's file was rotated to name.S and compressed to name.S.gz,
// and the next file was rotated to the same name.S (the kubelet's names
// have the second: two rotations in one second), both beginning with the
// same first KiB (the end of one long line split into Docker's partial
// records, trial 253). The plain name.S is another file, not the
// compressor's source still in place: a restart resumes in name.S.gz at
// the checkpoint, then reads name.S and the file at the path, each line
// once. It used to take the .gz for the plain copy's and drop it, lose
// the checkpoint's file (21 lines in the trial) and read the other
// copies again from their beginning (501 duplicates).
func TestRestartCompressedBesideAlikePlain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	head := strings.Repeat("x", FingerprintMax+100) + "\n"
	a := head + numbered("a", 0, 10)
	writeFile(t, path, a)
	cfg := testConfig(t, path)
	checkExactly(t, runOnce(t, cfg, 11), linesOf(a))

	w := numbered("w", 0, 5) // after the checkpoint
	appendFile(t, path, w)
	rotated := path + ".20261207-095301"
	if err := os.Rename(path, rotated); err != nil {
		t.Fatal(err)
	}
	b := head + numbered("b", 0, 5)
	writeFile(t, path, b)
	gzipAway(t, rotated) // name.S.gz, name.S removed
	if err := os.Rename(path, rotated); err != nil {
		t.Fatal(err)
	}
	n := numbered("n", 0, 3)
	writeFile(t, path, n)

	checkExactly(t, runOnce(t, cfg, 5+6+3), linesOf(w+b+n))
}

// TestOneFile: a plain name.N and a name.N.gz hold one file when the
// .gz's data, complete or still being written, are the plain copy's
// first bytes; files that begin alike for more than the fingerprint
// (FingerprintMax) and differ later are two.
func TestOneFile(t *testing.T) {
	head := strings.Repeat("x", FingerprintMax+100) + "\n"
	plain := head + numbered("a", 0, 100)
	cut := func(s string, n int) []byte { // a gzip stream cut after n bytes
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Flush()
		return b.Bytes()[:min(n, b.Len())]
	}
	for _, tc := range []struct {
		name string
		gz   func(t *testing.T, name string)
		want bool
	}{
		{"same data", func(t *testing.T, n string) { writeGzip(t, n, []byte(plain)) }, true},
		{"compress under way", func(t *testing.T, n string) {
			writeFile(t, n, string(cut(plain, 600)))
		}, true},
		{"no gzip header yet", func(t *testing.T, n string) { writeFile(t, n, "") }, true},
		{"another file beginning alike", func(t *testing.T, n string) {
			writeGzip(t, n, []byte(head+numbered("b", 0, 100)))
		}, false},
		{"longer than the plain copy", func(t *testing.T, n string) {
			writeGzip(t, n, []byte(plain+numbered("c", 0, 1)))
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "0.log.20261207-095301")
			writeFile(t, p, plain)
			tc.gz(t, p+".gz")
			ps, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			zs, err := os.Stat(p + ".gz")
			if err != nil {
				t.Fatal(err)
			}
			got := oneFile(sibling{name: p, fi: ps}, sibling{name: p + ".gz", gz: true, fi: zs})
			if got != tc.want {
				t.Errorf("oneFile = %v, want %v", got, tc.want)
			}
		})
	}
}
