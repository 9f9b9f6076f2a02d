package agent

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/influxdata/go-syslog/v3/rfc5424"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

const appNameDetections = forwarder.AppNameDetections

// wireAlert is an alert as a collector received it, read back with
// go-syslog's RFC 5424 parser.
type wireAlert struct {
	msgID    string
	host     string // HOSTNAME
	severity uint8
	sd       map[string]map[string]string
	json     map[string]any
}

// collected is what a collector received: the log lines' MSG by APP-NAME
// and the alerts.
type collected struct {
	mu     sync.Mutex
	lines  map[string][]string
	alerts []wireAlert
	errs   []string
}

// appendLine appends line and a newline to the file path, creating it.
func appendLine(t *testing.T, path, line string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(line + "\n"); err != nil {
		t.Fatal(err)
	}
}

// listenCollected starts a TCP syslog collector for the test that gathers
// what it receives in a collected; the collector closes with the test.
func listenCollected(t *testing.T) (*collected, *syslogtest.Collector) {
	t.Helper()
	got := &collected{lines: map[string][]string{}}
	col, err := syslogtest.Listen("127.0.0.1:0", got.add)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { col.Close() })
	return got, col
}

// count returns the number of log lines of APP-NAME app received.
func (c *collected) count(app string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.lines[app])
}

func (c *collected) add(msg []byte) {
	p := rfc5424.NewParser()
	m, err := p.Parse(msg)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.errs = append(c.errs, err.Error()+": "+string(msg))
		return
	}
	sm := m.(*rfc5424.SyslogMessage)
	app, body := deref(sm.Appname), deref(sm.Message)
	if app != appNameDetections {
		c.lines[app] = append(c.lines[app], body)
		return
	}
	a := wireAlert{msgID: deref(sm.MsgID), host: deref(sm.Hostname), severity: *sm.Severity}
	if sm.StructuredData != nil {
		a.sd = *sm.StructuredData
	}
	if err := json.Unmarshal([]byte(body), &a.json); err != nil {
		c.errs = append(c.errs, "alert MSG is not JSON: "+body)
	}
	c.alerts = append(c.alerts, a)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// typeOf returns the source type of a testdata file by its name.
func typeOf(name string) string {
	switch {
	case strings.HasPrefix(name, "audit"), name == "events.log": // events.log: streamed bodies
		return "audit"
	case strings.HasPrefix(name, "application"):
		return "application"
	case strings.HasPrefix(name, "gitlab_access"):
		return "access"
	}
	return ""
}

// runDetections runs the agent to EOF over the log files in dir into a
// real TCP collector, with detections on or off, and returns what arrived
// and the number of lines.
func runDetections(t *testing.T, dir string, on bool) (*collected, int) {
	t.Helper()
	return runDetectionsTuned(t, dir, on, nil)
}

// runDetectionsTuned is runDetections with tune, when not nil, applied to
// the configuration.
func runDetectionsTuned(t *testing.T, dir string, on bool, tune func(*config.Config)) (*collected, int) {
	t.Helper()
	got, col := listenCollected(t)
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var srcs []config.Source
	lines := 0
	for _, e := range ents {
		if typ := typeOf(e.Name()); typ != "" {
			p := filepath.Join(dir, e.Name())
			srcs = append(srcs, config.Source{Type: typ, Path: p})
			lines += len(readLines(t, p))
		}
	}
	c := newConfig(t, "tcp://"+col.Addr(), srcs...)
	c.Detections.Enabled = &on
	if tune != nil {
		tune(c)
	}
	runToEOF(t, c, nil)
	// Every line, then nothing more for 200 ms: the alerts --once decides
	// at the end are the last messages written.
	last, since := -1, time.Now()
	waitFor(t, "every line and alert at the collector", 10*time.Second, func() bool {
		got.mu.Lock()
		defer got.mu.Unlock()
		n := len(got.alerts)
		for _, l := range got.lines {
			n += len(l)
		}
		if n != last {
			last, since = n, time.Now()
		}
		return n-len(got.alerts) >= lines && time.Since(since) > 200*time.Millisecond
	})
	col.Close()
	if len(got.errs) > 0 {
		t.Fatalf("collector: %s", strings.Join(got.errs, "\n"))
	}
	return got, lines
}

// checkAlert checks the wire form of one alert: MSGID the rule id, the
// alert@32473 element with the rule, its alert_id (32 hex digits) and
// severity, MSG the same alert as JSON, and the syslog severity mapped
// from the alert's.
func checkAlert(t *testing.T, a wireAlert) {
	t.Helper()
	el := a.sd["alert@32473"]
	if el == nil {
		t.Errorf("%s: no alert@32473 element in %v", a.msgID, a.sd)
		return
	}
	if id, _ := el["rule"], 0; len(id) > 32 && a.msgID == id[:32] {
		// RFC 5424 caps MSGID at 32 characters: the encoder cuts longer
		// rule ids (falco.cluster_agent_token_created); SD and MSG keep it.
		a.msgID = id
	}
	if el["rule"] != a.msgID || a.json["rule"] != a.msgID {
		t.Errorf("MSGID %q, SD rule %q, JSON rule %v", a.msgID, el["rule"], a.json["rule"])
	}
	if id := el["alert_id"]; len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" || a.json["alert_id"] != id {
		t.Errorf("%s: alert_id SD %q JSON %v", a.msgID, id, a.json["alert_id"])
	}
	want := map[string]uint8{"High": 3, "Medium": 4, "Low": 5, "Informational": 6}[el["severity"]]
	if want == 0 || a.severity != want {
		t.Errorf("%s: severity %s sent as syslog severity %d, want %d", a.msgID, el["severity"], a.severity, want)
	}
}

// TestDetectionsPerEvent runs the agent over audit lines with a personal
// access token created, a failed creation, a project made public and one
// made internal: exactly two alerts go out, as GitLab-Detections messages
// carrying the triggering line's columns in the gitlab@32473 element.
func TestDetectionsPerEvent(t *testing.T) {
	dir := filepath.Join("testdata", "detections")
	got, lines := runDetections(t, dir, true)
	if n := len(got.lines[config.AppNameAudit]); n != lines {
		t.Errorf("%d audit lines forwarded, want %d", n, lines)
	}
	want := map[string][2]string{ // rule → a key column and its value
		"falco.pat_created":    {"EventID", "99121"},
		"sentinel.repo_public": {"EntityPath", "acme/secret-sauce"},
	}
	if len(got.alerts) != len(want) {
		t.Errorf("%d alerts, want %d: %+v", len(got.alerts), len(want), got.alerts)
	}
	for _, a := range got.alerts {
		checkAlert(t, a)
		w, ok := want[a.msgID]
		if !ok {
			t.Errorf("unexpected alert %s: %v", a.msgID, a.json)
			continue
		}
		if v := a.sd["gitlab@32473"][w[0]]; v != w[1] {
			t.Errorf("%s: triggering record's %s = %q in SD, want %q", a.msgID, w[0], v, w[1])
		}
		if a.json[w[0]] != w[1] || !strings.Contains(a.json["raw"].(string), w[1]) {
			t.Errorf("%s: JSON %s = %v, raw %v", a.msgID, w[0], a.json[w[0]], a.json["raw"])
		}
		delete(want, a.msgID)
	}
	for rule := range want {
		t.Errorf("no %s alert", rule)
	}

	off, _ := runDetections(t, dir, false)
	if len(off.alerts) != 0 || len(off.lines[config.AppNameAudit]) != lines {
		t.Errorf("detections off: %d alerts, %d lines; want 0 and %d", len(off.alerts), len(off.lines[config.AppNameAudit]), lines)
	}
}

// TestDetectionsGolden runs the agent over every golden case of
// testdata/detections/<rule>/ (the rule's directory and each case under
// it; events.log, the streamed bodies, is followed as one more audit
// file; a case's args give its --param values): the agent, following the
// files live, sends exactly the alert_ids of that rule the case's
// expected.json lists, and none where it has no expected.json (near
// misses).
func TestDetectionsGolden(t *testing.T) {
	root := filepath.Join(testdata, "detections")
	rules, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, r := range rules {
		dirs := []string{filepath.Join(root, r.Name())}
		subs, _ := os.ReadDir(dirs[0])
		for _, s := range subs {
			if s.IsDir() {
				dirs = append(dirs, filepath.Join(dirs[0], s.Name()))
			}
		}
		for _, dir := range dirs {
			rel, _ := filepath.Rel(root, dir)
			t.Run(rel, func(t *testing.T) { goldenCase(t, dir, r.Name()) })
			cases++
		}
	}
	if cases < 34*2 {
		t.Errorf("%d golden cases, want at least a firing and a near-miss case for each of the 34 rules", cases)
	}
}

// mergeStream returns a directory with one audit_json.log: the lines of
// dir's audit_json.log and the streamed bodies of its events.log merged in
// event time (created_at, or the line's time), as they arrive live: detect
// merges its inputs in event time, but the agent reads whole files at once
// and would see a file's events hours before the stream's. A case with
// streamed bodies and another log type is skipped, for the same reason.
func mergeStream(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if typ := typeOf(e.Name()); typ != "" && typ != "audit" {
			t.Skip("streamed bodies and another log: their order is the agent's arbitrary interleaving, not event time")
		}
	}
	out := t.TempDir()
	type line struct {
		at   string
		text string
	}
	var audit []line
	for _, e := range ents {
		if typeOf(e.Name()) == "" {
			continue
		}
		for _, l := range readLines(t, filepath.Join(dir, e.Name())) {
			var ts struct {
				Time      string `json:"time"`
				CreatedAt string `json:"created_at"`
			}
			json.Unmarshal([]byte(l), &ts)
			at := ts.CreatedAt
			if at == "" {
				at = ts.Time
			}
			tm, ok := parser.ParseTime([]byte(at)) // as the engine reads created_at
			if !ok {
				t.Fatalf("%s: line without a time: %.80q", e.Name(), l)
			}
			audit = append(audit, line{tm.UTC().Format("2006-01-02T15:04:05.000000000"), l})
		}
	}
	slices.SortStableFunc(audit, func(a, b line) int { return strings.Compare(a.at, b.at) })
	var b strings.Builder
	for _, l := range audit {
		b.WriteString(l.text + "\n")
	}
	if err := os.WriteFile(filepath.Join(out, "audit_json.log"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// goldenCase runs one case directory of rule's golden cases.
func goldenCase(t *testing.T, dir, rule string) {
	files := dir
	if _, err := os.Stat(filepath.Join(dir, "events.log")); err == nil {
		files = mergeStream(t, dir)
	}
	var want []string
	if _, err := os.Stat(filepath.Join(dir, "expected.json")); err == nil {
		want = expectedIDs(t, filepath.Join(dir, "expected.json"), rule)
	}
	params := caseParams(t, dir)
	got, _ := runDetectionsTuned(t, files, true, func(c *config.Config) { c.Detections.Params = params })
	var ids []string
	for _, a := range got.alerts {
		checkAlert(t, a)
		if a.sd["alert@32473"]["rule"] == rule {
			ids = append(ids, a.sd["alert@32473"]["alert_id"])
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, want) {
		t.Errorf("%s alert_ids\n got %v\nwant %v", rule, ids, want)
	}
}

// patLine is an audit_json.log line for the creation of personal access
// token tokenID, saved as audit event id; the same event streamed has
// body patBody(id, tokenID).
func patLine(id, tokenID int) string {
	return fmt.Sprintf(`{"severity":"INFO","time":"2025-09-18T12:%02d:27.450Z","id":%d,"author_id":42,"entity_id":42,"entity_type":"User","details":{"event_name":"personal_access_token_created","custom_message":"Created personal access token with id %d","author_name":"Alice Example","target_id":42,"target_type":"User","target_details":"Alice Example","ip_address":"198.51.100.20","entity_path":"alice"},"ip_address":"198.51.100.20","author_name":"Alice Example","entity_path":"alice","target_details":"Alice Example","created_at":"2025-09-18T12:%02d:27.441Z","target_type":"User","target_id":42,"event_name":"personal_access_token_created","custom_message":"Created personal access token with id %d"}`,
		id%60, id, tokenID, id%60, tokenID)
}

func patBody(id, tokenID int) string {
	return fmt.Sprintf(`{"id":%d,"author_id":42,"entity_id":42,"entity_type":"User","details":{"event_name":"personal_access_token_created","custom_message":"Created personal access token with id %d","author_name":"Alice Example","target_id":42,"target_type":"User","target_details":"Alice Example","ip_address":"198.51.100.20","entity_path":"alice"},"ip_address":"198.51.100.20","author_name":"Alice Example","entity_path":"alice","target_details":"Alice Example","created_at":"2025-09-18T12:%02d:27.441Z","target_type":"User","target_id":42,"event_type":"personal_access_token_created"}`,
		id, tokenID, id%60)
}

// TestDetectionsStreamAndFile follows audit_json.log and receives Audit
// Event Streaming at once: an event streamed and also in the file alerts
// once; a stream-only event alerts (the spool is detected as origin
// stream).
func TestDetectionsStreamAndFile(t *testing.T) {
	got, col := listenCollected(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "audit_json.log")
	if err := os.WriteFile(path, []byte(patLine(11, 501)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: path})
	port := syslogtest.FreeTCPPort(t)
	c.Streaming = config.Streaming{Listen: fmt.Sprintf("127.0.0.1:%d", port), Tokens: []string{"s3cr3t-token-0123456789"}}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	a, _, stop := runInBackground(t, c, Options{})
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, config.DefaultStreamingPath)
	post := func(body string) {
		t.Helper()
		var resp *http.Response
		var err error
		waitFor(t, "the streaming receiver", 10*time.Second, func() bool {
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
			req.Header.Set("X-Gitlab-Event-Streaming-Token", "s3cr3t-token-0123456789")
			resp, err = http.DefaultClient.Do(req)
			return err == nil
		})
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST = %s", resp.Status)
		}
	}
	alerts := func() int {
		got.mu.Lock()
		defer got.mu.Unlock()
		return len(got.alerts)
	}
	waitFor(t, "the file's alert", 10*time.Second, func() bool { return alerts() == 1 })
	post(patBody(11, 501)) // the same saved event, streamed
	post(patBody(12, 502)) // streamed only
	// falco.pat_created's, and sentinel.pat_over_time's, which the
	// reorder buffer holds for about a second (detect.Config.OrderGrace).
	waitFor(t, "the streamed alerts", 10*time.Second, func() bool { return alerts() >= 3 })
	waitFor(t, "the streamed lines", 10*time.Second, func() bool {
		got.mu.Lock()
		defer got.mu.Unlock()
		return len(got.lines[config.AppNameAudit]) == 3
	})
	time.Sleep(300 * time.Millisecond) // a wrong further alert would be here by now
	mfs, err := a.Metrics().Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	drops := -1.0
	for _, mf := range mfs {
		if mf.GetName() == "gitlab_syslog_detect_dedupe_drops_total" {
			drops = mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	if drops != 1 {
		t.Errorf("detect_dedupe_drops_total = %v, want 1 (-1: not exported)", drops)
	}
	stop()
	got.mu.Lock()
	defer got.mu.Unlock()
	var ids []string
	count := ""
	for _, al := range got.alerts {
		checkAlert(t, al)
		switch al.msgID {
		case "falco.pat_created":
			ids = append(ids, al.sd["gitlab@32473"]["EventID"])
		case "sentinel.pat_over_time": // two tokens in a day
			count = al.sd["alert@32473"]["count"]
		default:
			t.Errorf("unexpected alert %s", al.msgID)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"11", "12"}) {
		t.Errorf("falco.pat_created for events %v, want 11 (file and stream: once) and 12 (stream)", ids)
	}
	if count != "2" {
		t.Errorf("sentinel.pat_over_time counted %q tokens, want 2 (event 11 once)", count)
	}
}

// TestDetectionsReload: a reload with a changed detections block builds the
// engine again from the saved state (a day's token count goes on, the
// counters go on, a disabled rule stops); a reload with an unchanged
// block rereads the TI indicator file.
func TestDetectionsReload(t *testing.T) {
	got, col := listenCollected(t)
	dir := t.TempDir()
	audit, access, ti := filepath.Join(dir, "audit_json.log"), filepath.Join(dir, "gitlab_access.log"), filepath.Join(dir, "ti.txt")
	write := func(path, data string, flag int) {
		t.Helper()
		f, err := os.OpenFile(path, flag|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(data); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	write(audit, patLine(21, 601)+"\n", os.O_CREATE|os.O_TRUNC)
	write(access, "", os.O_CREATE|os.O_TRUNC)
	write(ti, "203.0.113.0/24\n", os.O_CREATE|os.O_TRUNC)
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit}, config.Source{Type: "access", Path: access})
	tiRule := config.RuleConfig{Params: map[string]string{"ti_file": ti}}
	c.Detections.Rules = map[string]config.RuleConfig{"sentinel.ti_malicious_ip": tiRule}
	a, ctx, stop := runInBackground(t, c, Options{})
	defer stop()
	byRule := func(rule string) []wireAlert {
		got.mu.Lock()
		defer got.mu.Unlock()
		var out []wireAlert
		for _, al := range got.alerts {
			if al.msgID == rule {
				out = append(out, al)
			}
		}
		return out
	}
	waitFor(t, "the first token's alert", 10*time.Second, func() bool { return len(byRule("falco.pat_created")) == 1 })

	// Changed block: falco.pat_created off.
	nc := *c
	off := false
	nc.Detections.Rules = map[string]config.RuleConfig{"sentinel.ti_malicious_ip": tiRule, "falco.pat_created": {Enabled: &off}}
	if err := a.Reload(ctx, &nc); err != nil {
		t.Fatal(err)
	}
	write(audit, patLine(22, 602)+"\n", os.O_APPEND)
	waitFor(t, "the day's second token counted after the rebuild", 10*time.Second, func() bool { return len(byRule("sentinel.pat_over_time")) == 1 })
	if n := byRule("sentinel.pat_over_time")[0].sd["alert@32473"]["count"]; n != "2" {
		t.Errorf("tokens of the day after the rebuild: %s, want 2 (the state was carried over)", n)
	}
	if n := len(byRule("falco.pat_created")); n != 1 {
		t.Errorf("%d falco.pat_created alerts, want 1: the rule was disabled by the reload", n)
	}
	if v := counter(t, a, "gitlab_syslog_detect_alerts_total", "falco.pat_created"); v != 1 {
		t.Errorf("detect_alerts_total{falco.pat_created} = %v after the rebuild, want 1", v)
	}

	// Unchanged block: the indicator file is read again.
	const req = `198.51.100.9 - - [18/Sep/2025:12:30:00 +0000] "GET /api/v4/projects HTTP/1.1" 200 12 "" "curl/8.0"` + "\n"
	write(access, req, os.O_APPEND)
	waitFor(t, "the access line", 10*time.Second, func() bool {
		got.mu.Lock()
		defer got.mu.Unlock()
		return len(got.lines[config.AppNameAccess]) == 1
	})
	if n := len(byRule("sentinel.ti_malicious_ip")); n != 0 {
		t.Fatalf("%d TI alerts for an address not in the indicator file", n)
	}
	write(ti, "203.0.113.0/24\n198.51.100.0/24\n", os.O_TRUNC)
	nc2 := nc
	if err := a.Reload(ctx, &nc2); err != nil {
		t.Fatal(err)
	}
	write(access, strings.Replace(req, "12:30:00", "12:31:00", 1), os.O_APPEND)
	waitFor(t, "the TI alert after the reload", 10*time.Second, func() bool { return len(byRule("sentinel.ti_malicious_ip")) == 1 })
}

// counter returns the value of the counter, or gauge, name{rule} of a's
// metrics, or -1.
func counter(t *testing.T, a *Agent, name, rule string) float64 {
	t.Helper()
	mfs, err := a.Metrics().Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "rule" && l.GetValue() == rule {
					if c := m.GetCounter(); c != nil {
						return c.GetValue()
					}
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	return -1
}
