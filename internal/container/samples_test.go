package container

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the samples and golden files in testdata/kubernetes")

// kdir is the repository's Kubernetes sample directory.
const kdir = "../../testdata/kubernetes"

// Sample file names as the kubelet makes them (/var/log/containers).
const (
	webserviceLog = "gitlab-webservice-default-6c8d7d9f4-2xkqz_gitlab_webservice-4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b.log"
	ingressLog    = "gitlab-nginx-ingress-controller-7b9c8d6f5-h4k2m_gitlab_controller-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b.log"
)

// sampleRecord is one record written to a sample file: either a GitLab
// line as gitlab-logger prints it (sub set), an unwrapped line (sub empty),
// or a line written as it is, not as a runtime record (raw).
type sampleRecord struct {
	sub    string // gitlab-logger subcomponent; "" writes text unwrapped
	text   string
	stream string
	parts  int  // > 1: split into this many partial records
	raw    bool // written as is: a line that is no runtime record
}

// loggerLine prints text as gitlab-logger's log function does
// (fmt.Printf of the envelope; strconv.Quote unless text starts with '{'
// and ends with '}').
func loggerLine(sub, text string, date time.Time) string {
	msg := text
	if !(strings.HasPrefix(text, "{") && strings.HasSuffix(text, "}")) {
		msg = strconv.Quote(text)
	}
	file := "/var/log/gitlab/" + sub + ".log"
	return fmt.Sprintf("{\"date\":\"%s\",\"component\": \"%s\",\"subcomponent\":\"%s\",\"level\":\"%s\",\"file\":%q,\"message\":%s}",
		date.Format(time.RFC3339), "gitlab", sub, "info", file, msg)
}

func readLines(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(kdir, "originals", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// webserviceRecords is what the webservice container prints, in order.
func webserviceRecords(t *testing.T) []sampleRecord {
	audit := readLines(t, "audit_json.log")
	app := readLines(t, "application_json.log")
	auth := readLines(t, "auth_json.log")
	text := readLines(t, "application.log")
	prod := readLines(t, "production_json.log")
	return []sampleRecord{
		{sub: "audit_json", text: audit[0], stream: "stdout"},
		{sub: "application_json", text: app[0], stream: "stdout"},
		{sub: "audit_json", text: audit[1], stream: "stdout", parts: 3},
		{text: "Puma starting in cluster mode...", stream: "stderr"},
		{sub: "production_json", text: prod[0], stream: "stdout"},
		{sub: "auth_json", text: auth[0], stream: "stdout"},
		{sub: "application", text: text[0], stream: "stdout"},
		{sub: "application", text: text[2], stream: "stdout", parts: 2},
		{text: "this line is no runtime record", raw: true},
		{sub: "application_json", text: app[3], stream: "stdout"},
		{text: `{"date":"2024-05-01T12:00:09Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":`, stream: "stdout"},
		{sub: "audit_json", text: audit[2], stream: "stdout"},
		{sub: "auth_json", text: auth[1], stream: "stdout"},
	}
}

func ingressRecords(t *testing.T) []sampleRecord {
	var out []sampleRecord
	for _, l := range readLines(t, "ingress_access.log") {
		out = append(out, sampleRecord{text: l, stream: "stdout"})
	}
	// The controller's own messages (klog) go to stderr, between.
	klog := sampleRecord{text: `W0501 12:00:05.123456       7 controller.go:1214] Service "gitlab/gitlab-kas" does not have any active Endpoint.`, stream: "stderr"}
	return append(out[:2:2], append([]sampleRecord{klog}, out[2:]...)...)
}

// line returns the envelope or text of r.
func (r sampleRecord) line(i int) string {
	if r.sub == "" {
		return r.text
	}
	return loggerLine(r.sub, r.text, time.Date(2024, 5, 1, 12, 0, i, 0, time.UTC))
}

// splitParts splits s into n parts of about equal length.
func splitParts(s string, n int) []string {
	n = max(n, 1)
	var out []string
	size := (len(s) + n - 1) / n
	for len(s) > size {
		out = append(out, s[:size])
		s = s[size:]
	}
	return append(out, s)
}

// writeCRI writes the records as containerd does: one record per part,
// tag P for all but the last part of a line.
func writeCRI(recs []sampleRecord) []byte {
	var b bytes.Buffer
	for i, r := range recs {
		if r.raw {
			b.WriteString(r.text + "\n")
			continue
		}
		parts := splitParts(r.line(i), r.parts)
		for k, p := range parts {
			tag := "F"
			if k < len(parts)-1 {
				tag = "P"
			}
			fmt.Fprintf(&b, "2024-05-01T12:00:%02d.%09dZ %s %s %s\n", i, 123456789+k, r.stream, tag, p)
		}
	}
	return b.Bytes()
}

// writeDocker writes the records as Docker's json-file driver does: the
// log string JSON-encoded (HTML characters escaped, as encoding/json does),
// a part without its final newline.
func writeDocker(recs []sampleRecord) []byte {
	var b bytes.Buffer
	for i, r := range recs {
		if r.raw {
			b.WriteString(r.text + "\n")
			continue
		}
		parts := splitParts(r.line(i), r.parts)
		for k, p := range parts {
			if k == len(parts)-1 {
				p += "\n"
			}
			log, _ := json.Marshal(p)
			fmt.Fprintf(&b, "{\"log\":%s,\"stream\":\"%s\",\"time\":\"2024-05-01T12:00:%02d.%09dZ\"}\n", log, r.stream, i, 123456789+k)
		}
	}
	return b.Bytes()
}

// samples are the sample files: name, format and content.
func samples(t *testing.T) []struct {
	name string
	f    Format
	data []byte
	recs []sampleRecord
} {
	ws, in := webserviceRecords(t), ingressRecords(t)
	return []struct {
		name string
		f    Format
		data []byte
		recs []sampleRecord
	}{
		{"cri/" + webserviceLog, CRI, writeCRI(ws), ws},
		{"cri/" + ingressLog, CRI, writeCRI(in), in},
		{"docker/" + webserviceLog, Docker, writeDocker(ws), ws},
		{"docker/" + ingressLog, Docker, writeDocker(in), in},
	}
}

// decoded is one Decode result as stored in the golden files.
type decoded struct {
	Status       string `json:"status"`
	Stream       string `json:"stream,omitempty"`
	Subcomponent string `json:"subcomponent,omitempty"`
	Text         string `json:"text,omitempty"`
	Err          string `json:"err,omitempty"`
}

var statusNames = [...]string{"complete", "partial", "malformed"}

func decodeFile(t *testing.T, path string, f Format) []decoded {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	d := Decoder{Format: f}
	var out []decoded
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l, st, err := d.Decode(sc.Bytes())
		r := decoded{Status: statusNames[st], Stream: string(l.Stream), Subcomponent: string(l.Subcomponent), Text: string(l.Text)}
		if err != nil {
			r.Err = err.Error()
		}
		out = append(out, r)
	}
	return out
}

// TestSamples writes (with -update) the sample files from the original
// GitLab lines in testdata/kubernetes/originals, then decodes each with its
// format and with Auto, and checks: the result matches the golden file;
// every wrapped line comes out byte-identical to its original line with its
// subcomponent; partial records are joined; the lines that are no runtime
// record or no complete envelope come out Malformed, raw.
func TestSamples(t *testing.T) {
	for _, s := range samples(t) {
		t.Run(s.name, func(t *testing.T) {
			path := filepath.Join(kdir, s.name)
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, s.data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got := decodeFile(t, path, s.f)
			// Auto takes a line that is no runtime record as a plain
			// line; everything else decodes the same.
			wantAuto := append([]decoded(nil), got...)
			for i, g := range wantAuto {
				if g.Status == "malformed" && !strings.Contains(g.Err, "envelope") {
					wantAuto[i] = decoded{Status: "complete", Text: g.Text}
				}
			}
			if auto := decodeFile(t, path, Auto); !jsonEqual(auto, wantAuto) {
				t.Errorf("Auto decodes differently from %s:\n%+v\n%+v", s.f, auto, wantAuto)
			}
			golden := filepath.Join(kdir, "golden", strings.ReplaceAll(s.name, "/", "_")+".json")
			want, _ := json.MarshalIndent(got, "", "  ")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				os.WriteFile(golden, append(want, '\n'), 0o644)
			}
			if g, err := os.ReadFile(golden); err != nil || !bytes.Equal(bytes.TrimSpace(g), want) {
				t.Errorf("decoded %s differs from %s (go test -update to rewrite after checking):\n%s", s.name, golden, want)
			}
			checkAgainstRecords(t, got, s.recs)
		})
	}
}

// checkAgainstRecords checks the decoded results against what was written,
// independently of the golden file.
func checkAgainstRecords(t *testing.T, got []decoded, recs []sampleRecord) {
	t.Helper()
	var complete []decoded
	for _, g := range got {
		if g.Status != "partial" {
			complete = append(complete, g)
		}
	}
	if len(complete) != len(recs) {
		t.Fatalf("%d lines decoded, %d written", len(complete), len(recs))
	}
	for i, r := range recs {
		g := complete[i]
		switch {
		case r.raw:
			if g.Status != "malformed" || g.Text != r.text {
				t.Errorf("record %d: got %+v, want malformed raw %q", i, g, r.text)
			}
		case strings.HasSuffix(r.text, `"message":`):
			if g.Status != "malformed" || g.Text != r.text {
				t.Errorf("record %d: got %+v, want the broken envelope raw", i, g)
			}
		default:
			if g.Status != "complete" || g.Text != r.text || g.Subcomponent != r.sub || g.Stream != r.stream {
				t.Errorf("record %d:\n got %+v\nwant sub %q stream %q text %q", i, g, r.sub, r.stream, r.text)
			}
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
