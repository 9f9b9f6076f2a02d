package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
)

// TestUTF16InputRefused: a log in UTF-16 (as Windows tools write a text
// file), with a byte order mark or without one, given to parse, detect
// or send as a file, on standard input or gzip-compressed, is refused
// before any line is read, naming the input, its encoding and the iconv
// command that gives UTF-8 (fresh-user trial 53: "cannot tell the log
// type ... use TYPE:FILE"); check refuses such a source file likewise.
func TestUTF16InputRefused(t *testing.T) {
	const line = `{"severity":"INFO","time":"2024-05-31T14:32:44.108Z","author_id":1,"entity_id":1,"entity_type":"User"}` + "\n"
	for _, tc := range []struct {
		name, data, what, from string
	}{
		{"LE with BOM", utf16LE(line + line), "UTF-16LE text", "UTF-16"},
		{"LE without BOM", utf16LE(line + line)[2:], "UTF-16LE text (without a byte order mark)", "UTF-16LE"},
	} {
		dir := t.TempDir()
		file := writeFile(t, filepath.Join(dir, "audit_json.log"), tc.data)
		gz := writeFile(t, filepath.Join(dir, "audit_json.log.1"), string(gziptest.Compress(t, []byte(tc.data))))
		for _, in := range []struct {
			name, arg, stdin, want string
		}{
			{"file", file, "", file + ": is " + tc.what + ", not UTF-8 as GitLab writes its logs: its lines would be read as garbage; convert it first (iconv -f " + tc.from + " -t UTF-8 " + file + ")"},
			{"stdin", "-", tc.data, "stdin: is " + tc.what + ", not UTF-8 as GitLab writes its logs"},
			{"gzip", gz, "", gz + ": is gzip data whose content is " + tc.what + ", not UTF-8 as GitLab writes its logs: its lines would be read as garbage; convert it first (gzip -dc " + gz + " | iconv -f " + tc.from + " -t UTF-8 -)"},
		} {
			for _, cmd := range [][]string{{"parse"}, {"detect"}, {"send", "--to", "-"}} {
				t.Run(tc.name+"/"+in.name+"/"+cmd[0], func(t *testing.T) {
					var stdout, stderr bytes.Buffer
					err := runSendCollect(context.Background(), strings.NewReader(in.stdin), &stdout, &stderr, append(cmd, in.arg)...)
					if err == nil || !strings.Contains(err.Error(), in.want) {
						t.Errorf("error = %v\nwant it to say %s", err, in.want)
					}
					if stdout.Len() > 0 {
						t.Errorf("%s printed or sent lines:\n%.300q", cmd[0], stdout.String())
					}
				})
			}
		}
		t.Run(tc.name+"/check", func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\nsources: [{type: audit, path: "+file+"}]\n")
			out, err := execute(t, "check", "--config", cfg)
			want := "source " + file + " holds " + tc.what + ", not UTF-8 log lines as GitLab writes them: give the live log file; to send a converted copy once: iconv -f " + tc.from + " -t UTF-8 " + file + " | gitlab-syslog send -"
			if err == nil || !strings.Contains(out, want) {
				t.Errorf("check: err %v, want a problem saying %s:\n%s", err, want, out)
			}
		})
	}
}
