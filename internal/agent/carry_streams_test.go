package agent

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestCarryAcrossStreams: the parts of a stdout line that a batch leaves
// pending are kept for the next batch when the batch, or the next one, ends
// in records of stderr (a container's stdout and stderr records
// interleave, and each stream's parts are joined on their own). The agent
// follows a CRI, then a Docker json-file, log whose batches the test makes
// by appending once the batch before was sent: (a) a batch ending in
// "stdout P part1", "stderr F err" before the batch "stdout F part2"; (b) a
// batch ending in "stdout P part1", then a batch of stderr lines only, then
// "stdout F part2". The joined line reaches the collector whole, once, both
// when the agent runs on and when it is restarted before the last batch
// (its checkpoint stayed before part1).
func TestCarryAcrossStreams(t *testing.T) {
	audit1 := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"entity_type":"User"}`
	audit2 := `{"severity":"INFO","time":"2024-05-10T17:46:50.065Z","author_id":2,"entity_type":"Project","entity_path":"group/split-line"}`
	split := auditEnvelope(audit2)
	part1, part2 := split[:70], split[70:]
	wantAudit1, wantAudit2 := config.AppNameAudit+" "+audit1, config.AppNameAudit+" "+audit2
	type rec struct {
		stream  string
		partial bool
		text    string
	}
	type batch struct {
		recs []rec
		sent []string // the messages of the batch
	}
	for _, format := range []string{"cri", "docker"} {
		for _, tc := range []struct {
			name    string
			batches []batch // the last holds "stdout F part2"
		}{
			{"stderr-after-part", []batch{
				{[]rec{{"stdout", false, auditEnvelope(audit1)}, {"stdout", true, part1}, {"stderr", false, "err a"}},
					[]string{wantAudit1, "GitLab-Logs err a"}},
				{[]rec{{"stdout", false, part2}}, []string{wantAudit2}},
			}},
			{"stderr-only-batch", []batch{
				{[]rec{{"stdout", false, auditEnvelope(audit1)}, {"stdout", true, part1}}, []string{wantAudit1}},
				{[]rec{{"stderr", false, "err b1"}, {"stderr", false, "err b2"}},
					[]string{"GitLab-Logs err b1", "GitLab-Logs err b2"}},
				{[]rec{{"stdout", false, part2}}, []string{wantAudit2}},
			}},
		} {
			for _, restart := range []bool{false, true} {
				name := format + "/" + tc.name
				if restart {
					name += "/restart"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					path := filepath.Join(t.TempDir(), "0.log")
					writeFile(t, path, "")
					addr, got := appMsgCollector(t)
					c := newConfig(t, "tcp://"+addr, config.Source{Path: path, Format: format, OtherSubcomponents: "forward"})
					c.Detections.Enabled = new(bool)
					_, _, stop := runInBackground(t, c, Options{})
					var want []string
					last := len(tc.batches) - 1
					for i, b := range tc.batches {
						if i == last && restart {
							stop()
							// The restart reads again from the first part
							// on: the lines after it come twice.
							for _, b := range tc.batches[:last] {
								for _, m := range b.sent {
									if m != wantAudit1 {
										want = append(want, m)
									}
								}
							}
							_, _, stop = runInBackground(t, c, Options{})
						}
						var data strings.Builder
						for _, r := range b.recs {
							data.WriteString(containerRecord(t, format)(r.stream, r.partial, r.text))
						}
						appendTo(t, path, data.String())
						want = append(want, b.sent...)
						if i == last {
							break
						}
						// The batch was read and sent before the next is
						// written: the next is another batch.
						waitFor(t, "the batch sent", 10*time.Second, func() bool { return len(got()) >= len(want) })
					}
					waitFor(t, "the last part sent", 10*time.Second, func() bool {
						return slices.ContainsFunc(got(), func(m string) bool { return strings.Contains(m, `"group/split-line"`) })
					})
					time.Sleep(200 * time.Millisecond) // anything sent twice
					stop()
					if msgs := got(); !slices.Equal(msgs, want) {
						t.Errorf("messages:\n got %q\nwant %q", msgs, want)
					}
				})
			}
		}
	}
}

// auditEnvelope returns audit, an audit_json.log line, in the envelope
// gitlab-logger writes to a container's stdout.
func auditEnvelope(audit string) string {
	return `{"date":"2024-05-01T12:00:00Z","component":"gitlab","subcomponent":"audit_json","level":"info","message":` + audit + `}`
}

// containerRecord returns a function that writes text as one runtime
// record of format (cri or docker) on stream, a part (CRI P, a Docker log
// without its LF) when partial, with its line end.
func containerRecord(t *testing.T, format string) func(stream string, partial bool, text string) string {
	if format == "cri" {
		return func(stream string, partial bool, text string) string {
			tag := "F"
			if partial {
				tag = "P"
			}
			return "2024-05-01T12:00:00.1Z " + stream + " " + tag + " " + text + "\n"
		}
	}
	return func(stream string, partial bool, text string) string {
		if !partial {
			text += "\n"
		}
		log, err := json.Marshal(text)
		if err != nil {
			t.Fatal(err)
		}
		return `{"log":` + string(log) + `,"stream":"` + stream + `","time":"2024-05-01T12:00:00.1Z"}` + "\n"
	}
}
