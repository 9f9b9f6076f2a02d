package agent

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestContainerLongLineCutPrefix: a GitLab line longer than max_line_bytes
// that the runtime split into records of 16 KiB, each longer than
// max_line_bytes too, goes out as its first max_line_bytes bytes, under
// its log's APP-NAME, in CRI and in Docker's format. Before, each record
// was cut to max_line_bytes as it was read, so the joined line lost the
// end of every record but the last, from its middle (CRI), or no record
// decoded (Docker: raw pieces under GitLab-Logs) (fresh-user trial 55).
func TestContainerLongLineCutPrefix(t *testing.T) {
	nums := make([]string, 5000)
	for i := range nums {
		nums[i] = fmt.Sprintf("%06d", i)
	}
	line := `{"severity":"INFO","time":"2024-05-31T14:32:44.108Z","correlation_id":"x","message":"big","meta.caller_id":"` + strings.Join(nums, ",") + `"}`
	const maxLine, record = 8 << 10, 16 << 10
	for _, format := range []string{"cri", "docker"} {
		t.Run(format, func(t *testing.T) {
			var b strings.Builder
			for i := 0; i < len(line); i += record {
				part, last := line[i:min(i+record, len(line))], i+record >= len(line)
				if format == "cri" {
					tag := "P"
					if last {
						tag = "F"
					}
					fmt.Fprintf(&b, "2024-05-31T14:32:44.108000000Z stdout %s %s\n", tag, part)
					continue
				}
				if last {
					part += "\n"
				}
				rec, _ := json.Marshal(map[string]string{"log": part, "stream": "stdout", "time": "2024-05-31T14:32:44.108Z"})
				b.Write(append(rec, '\n'))
			}
			path := filepath.Join(t.TempDir(), "app.log")
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			c := newConfig(t, "stdout://", config.Source{Type: "application", Path: path, Format: format})
			c.Tailer.MaxLineBytes = maxLine
			_, msgs := runOnce(t, c)
			if len(msgs) != 1 {
				t.Fatalf("%d messages, want 1", len(msgs))
			}
			if app, msg := string(msgs[0].AppName), string(msgs[0].Msg); app != config.AppNameApplication || msg != line[:maxLine] {
				i := 0
				for i < len(msg) && i < len(line) && msg[i] == line[i] {
					i++
				}
				t.Errorf("APP-NAME %s, MSG of %d bytes, the line's first %d only; want %s and the line's first %d bytes", app, len(msg), i, config.AppNameApplication, maxLine)
			}
		})
	}
}

// TestContainerRecordCutSeals: a CRI runtime whose partial records are
// longer than max_line_bytes (containerd with max_container_log_line_size
// raised) has its records cut by the tailer; the line joined from them
// goes out as a prefix of the GitLab line in the gitlab-logger envelope,
// not with the next record's text spliced in after the cut (the line's
// middle lost). Before, the join took up to EnvelopeSlack bytes of the
// next record after the cut one.
func TestContainerRecordCutSeals(t *testing.T) {
	const maxLine, record = 160 << 10, 200 << 10
	var nums strings.Builder
	for i := 0; nums.Len() < 3*record; i++ {
		fmt.Fprintf(&nums, "%07d,", i)
	}
	gl := `{"severity":"INFO","time":"2024-05-31T14:32:44.108Z","correlation_id":"x","message":"big","meta.caller_id":"` + nums.String() + `"}`
	env := `{"component":"gitlab","subcomponent":"application_json","level":"info","file":"/var/log/gitlab/application_json.log","message":` + gl + `}`
	var b strings.Builder
	for i := 0; i < len(env); i += record {
		tag := "P"
		if i+record >= len(env) {
			tag = "F"
		}
		fmt.Fprintf(&b, "2024-05-31T14:32:44.108000000Z stdout %s %s\n", tag, env[i:min(i+record, len(env))])
	}
	path := filepath.Join(t.TempDir(), "webservice.log")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "stdout://", config.Source{Type: "application", Path: path, Format: "cri"})
	c.Tailer.MaxLineBytes = maxLine
	_, msgs := runOnce(t, c)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	msg := string(msgs[0].Msg)
	if !strings.HasPrefix(gl, msg) || len(msg) < maxLine-1024 {
		i := 0
		for i < len(msg) && i < len(gl) && msg[i] == gl[i] {
			i++
		}
		t.Errorf("MSG of %d bytes, of which the GitLab line's first %d; want a prefix of the line of about %d bytes", len(msg), i, maxLine)
	}
}
