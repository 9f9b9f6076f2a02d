package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// compressedSamples writes testdata/audit_json.log into dir as
// audit_json.log.1.gz, .bz2, .xz and .zst, as logrotate's compresscmds
// write them (bzip2 by the bzip2 program: Go has no bzip2 writer), and
// returns the plain file and the compressed ones.
func compressedSamples(t *testing.T, dir string) (plain string, files []string) {
	t.Helper()
	plain = filepath.Join(samples, "audit_json.log")
	data, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, "audit_json.log.1")
	var xzb bytes.Buffer
	xw, err := xz.NewWriter(&xzb)
	if err != nil {
		t.Fatal(err)
	}
	xw.Write(data)
	xw.Close()
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	zst := enc.EncodeAll(data, nil)
	enc.Close()
	for ext, b := range map[string][]byte{".gz": gziptest.Compress(t, data), ".xz": xzb.Bytes(), ".zst": zst} {
		writeFile(t, base+ext, string(b))
		files = append(files, base+ext)
	}
	bz, err := exec.Command("bzip2", "-c", plain).Output()
	if err != nil {
		t.Fatalf("bzip2 -c %s: %v (the bzip2 program writes the .bz2 sample: apt-get install bzip2)", plain, err)
	}
	writeFile(t, base+".bz2", string(bz))
	return plain, append(files, base+".bz2")
}

// TestCompressedInputs: parse, send and detect read logrotate's
// compressed files (gzip, bzip2, xz, zstd, recognised by their first
// bytes) as the lines of the plain file, typed by the name; a cut
// compressed file is an error naming it, never compressed bytes taken
// for lines.
func TestCompressedInputs(t *testing.T) {
	dir := t.TempDir()
	plain, files := compressedSamples(t, dir)
	want, err := execute(t, "parse", plain)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Ext(f), func(t *testing.T) {
			got, err := execute(t, "parse", f)
			if err != nil {
				t.Fatalf("parse %s: %v", f, err)
			}
			// The summary line names no file: the outputs are equal.
			if got != want {
				t.Errorf("parse %s differs from parse of the plain file:\n%s\nwant\n%s", f, got, want)
			}
			sent, err := execute(t, "send", "--to", "stdout", f)
			if err != nil {
				t.Fatalf("send %s: %v", f, err)
			}
			if n := strings.Count(sent, "GitLab-Audit-Logs - audit [gitlab@32473 "); n != 25 {
				t.Errorf("send %s: %d parsed audit messages, want 25:\n%s", f, n, sent)
			}
			var out, errOut bytes.Buffer
			o := detectOptions{format: "json"}
			if err := runDetect(context.Background(), &o, []string{f}, strings.NewReader(""), &out, &errOut); err != nil {
				t.Fatalf("detect %s: %v", f, err)
			}
			if !strings.Contains(errOut.String(), "read 25 lines (0 not parsed)") {
				t.Errorf("detect %s summary:\n%s", f, errOut.String())
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			cut := writeFile(t, filepath.Join(t.TempDir(), filepath.Base(f)), string(data[:len(data)/2]))
			out2, err := execute(t, "parse", cut)
			if err == nil || !strings.Contains(err.Error(), cut) {
				t.Errorf("parse of a cut %s: err = %v, want an error naming it", f, err)
			}
			if strings.Contains(out2, `"_error"`) && strings.Count(out2, `"_error"`) > 1 {
				t.Errorf("parse of a cut %s took compressed bytes for lines:\n%s", f, out2)
			}
		})
	}
}

// TestCheckCompressedSource: check fails for a source whose file holds
// compressed data under a plain name (run would send its bytes as lines),
// naming the file, the compression and the send command; a plain log
// passes. (A source named *.gz, *.xz, ... is refused by the config's
// validation: internal/config.)
func TestCheckCompressedSource(t *testing.T) {
	dir := t.TempDir()
	_, files := compressedSamples(t, dir)
	for _, f := range files {
		hidden := filepath.Join(dir, "audit_json"+filepath.Ext(f)+".log")
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, hidden, string(data))
		cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "s")+"\nforward: {url: stdout}\nsources:\n  - type: audit\n    path: "+hidden+"\n")
		out, err := execute(t, "check", "--config", cfg)
		kind := map[string]string{".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd"}[filepath.Ext(f)]
		want := "source " + hidden + " holds " + kind + "-compressed data, not log lines: give the live log file; to send a compressed log once, use gitlab-syslog send " + hidden
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("check of %s: %v, want %q\n%s", hidden, err, want, out)
		}
	}
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "s")+"\nforward: {url: stdout}\nsources:\n  - type: audit\n    path: "+filepath.Join(samples, "audit_json.log")+"\n")
	if out, err := execute(t, "check", "--config", cfg); err != nil {
		t.Errorf("check of a plain log: %v\n%s", err, out)
	}
}

// TestCheckCompressedSourceOnce: a compressed file given as a source,
// under its compressed name (audit_json.log.1.gz), is one mistake and one
// problem: the name's, with what to do; the check of its content said it
// again (fresh-user trial).
func TestCheckCompressedSourceOnce(t *testing.T) {
	dir := t.TempDir()
	_, files := compressedSamples(t, dir)
	for _, f := range files {
		cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "s")+"\nforward: {url: stdout}\nsources:\n  - type: audit\n    path: "+f+"\n")
		out, err := execute(t, "check", "--config", cfg)
		want := cfg + ":5: sources[0].path: " + f + " is named as a compressed file (" + filepath.Ext(f) + "): the agent follows live, plain log files; to send a rotated, compressed log once, use gitlab-syslog send " + f
		if err == nil || !strings.Contains(out, "  "+want+"\n") {
			t.Errorf("check of %s: %v, want the problem %q\n%s", f, err, want, out)
		}
		if n := strings.Count(out, "\n  "+cfg+":"); n != 1 || strings.Contains(out, "compressed data, not log lines") {
			t.Errorf("check of %s: %d problems listed, want 1\n%s", f, n, out)
		}
	}
}

// TestCompressedPlainName: a compressed file whose name has no
// compression suffix (copied as audit_json.log.1, saved as events.txt)
// is recognised by its first bytes, as zcat -f does, and its lines read:
// typed by the name as the plain file would be.
func TestCompressedPlainName(t *testing.T) {
	dir := t.TempDir()
	_, files := compressedSamples(t, dir)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"audit_json.log.1", "events.txt"} {
			t.Run(filepath.Ext(f)+" as "+name, func(t *testing.T) {
				p := writeFile(t, filepath.Join(t.TempDir(), name), string(data))
				var out, errOut bytes.Buffer
				o := detectOptions{format: "json"}
				if err := runDetect(context.Background(), &o, []string{p}, strings.NewReader(""), &out, &errOut); err != nil {
					t.Fatalf("detect %s: %v", p, err)
				}
				if !strings.Contains(errOut.String(), "read 25 lines (0 not parsed)") {
					t.Errorf("detect %s summary:\n%s", p, errOut.String())
				}
			})
		}
	}
}

// TestDetectStdinNotLines: standard input holding data that is not log
// lines is named once, as stdin, with the cause. Before, an invalid gzip
// header on standard input was "-: stdin: open gzip stream: gzip:
// invalid header".
func TestDetectStdinNotLines(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"gzip magic, no gzip header", "\x1f\x8b\x00\x00 not gzip\n",
			"detect: stdin: starts with gzip's magic number but is not gzip data (gzip: invalid header): the file is damaged, or holds other data; check it with gzip -t, or copy it again from its source"},
		{"zip", "PK\x03\x04rest", "detect: stdin: is zip data, which is not read as log lines (gzip, bzip2, xz and zstd are): decompress it first (unzip -p FILE)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			o := detectOptions{format: "json"}
			err := runDetect(context.Background(), &o, []string{"-"}, strings.NewReader(tc.data), &out, &errOut)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant      %s", err, tc.want)
			}
			if out.Len() > 0 {
				t.Errorf("alerts from data that is not log lines:\n%s", out.String())
			}
		})
	}
}
