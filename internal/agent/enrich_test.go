package agent

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// writeASNDB writes a GeoLite2-ASN database mapping network to org,
// atomically, as geoipupdate does.
func writeASNDB(t *testing.T, path, network string, asn uint32, org string) {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-ASN", RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	_, n, err := net.ParseCIDR(network)
	if err != nil {
		t.Fatal(err)
	}
	if err := tree.Insert(n, mmdbtype.Map{
		"autonomous_system_number":       mmdbtype.Uint32(asn),
		"autonomous_system_organization": mmdbtype.String(org),
	}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path + ".tmp")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
}

// messages collects parsed messages from a collector.
type messages struct {
	mu   sync.Mutex
	msgs []syslogtest.Message
}

func (m *messages) add(b []byte) {
	p, err := syslogtest.Parse(append([]byte(nil), b...))
	if err != nil {
		panic(err)
	}
	m.mu.Lock()
	m.msgs = append(m.msgs, p)
	m.mu.Unlock()
}

func (m *messages) wait(t *testing.T, n int) []syslogtest.Message {
	t.Helper()
	var out []syslogtest.Message
	waitFor(t, fmt.Sprintf("%d messages", n), 15*time.Second, func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		out = append(out[:0], m.msgs...)
		return len(out) >= n
	})
	return out
}

// asnAccessLog writes, in dir, an ASN database that maps 81.2.69.0/24 to
// AS64500 "Org One" and an access log of one line from 81.2.69.142. It
// returns the database's path, the log's and its line.
func asnAccessLog(t *testing.T, dir string) (db, path, line string) {
	t.Helper()
	db = filepath.Join(dir, "GeoLite2-ASN.mmdb")
	writeASNDB(t, db, "81.2.69.0/24", 64500, "Org One")
	path = filepath.Join(dir, "gitlab_access.log")
	line = `81.2.69.142 - - [10/May/2024:17:46:49 +0000] "GET /users/sign_in HTTP/1.1" 200 512 "-" "curl/8.0" -`
	if err := os.WriteFile(path, []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return db, path, line
}

// listenMessages returns the messages a collector listening on a free port of
// 127.0.0.1 receives, and the collector, closed at the test's end.
func listenMessages(t *testing.T) (*messages, *syslogtest.Collector) {
	t.Helper()
	got := &messages{}
	col, err := syslogtest.Listen("127.0.0.1:0", got.add)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { col.Close() })
	return got, col
}

func TestGeoIPEnrichmentAndReload(t *testing.T) {
	dir := t.TempDir()
	db, path, line := asnAccessLog(t, dir)
	got, col := listenMessages(t)
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "access", Path: path})
	c.GeoIP.ASNDB = db
	a, ctx, stop := runInBackground(t, c, Options{})

	m := got.wait(t, 1)[0]
	if v, _ := m.Param("ASOrganization"); v != "Org One" {
		t.Errorf("ASOrganization = %q, want Org One (SD %s)", v, m.SD)
	}
	if v, _ := m.Param("ASN"); v != "64500" {
		t.Errorf("ASN = %q, want 64500", v)
	}
	if string(m.Msg) != line {
		t.Errorf("MSG = %q: enrichment must not touch the raw line", m.Msg)
	}

	// geoipupdate replaced the database; SIGHUP (Reload) reopens it.
	writeASNDB(t, db, "81.2.69.0/24", 64501, "Org Two")
	if err := a.Reload(ctx, c); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, strings.Replace(line, "sign_in", "sign_out", 1))
	f.Close()
	m = got.wait(t, 2)[1]
	if v, _ := m.Param("ASOrganization"); v != "Org Two" {
		t.Errorf("after reload ASOrganization = %q, want Org Two", v)
	}
	stop()
}

func TestStreamingEventForwarded(t *testing.T) {
	got := &messages{}
	col, err := syslogtest.Listen("127.0.0.1:0", got.add)
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	c := newConfig(t, "tcp://"+col.Addr())
	c.Sources = []config.Source{}
	port := syslogtest.FreeTCPPort(t)
	c.Streaming = config.Streaming{Listen: fmt.Sprintf("127.0.0.1:%d", port), Tokens: []string{"s3cr3t-token-0123456789"}}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	_, _, stop := runInBackground(t, c, Options{})

	event := `{"id": 42, "author_id": 1, "entity_id": 7, "entity_type": "Project", "details": {"custom_message": "Changed visibility", "author_name": "Administrator", "target_id": 7, "target_type": "Project", "ip_address": "10.0.0.1", "entity_path": "group/proj"}, "ip_address": "10.0.0.1", "author_name": "Administrator", "entity_path": "group/proj", "created_at": "2024-05-31T14:32:44.108Z", "event_type": "project_visibility_level_updated"}`
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, config.DefaultStreamingPath)
	var resp *http.Response
	waitFor(t, "the streaming receiver", 10*time.Second, func() bool {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(event))
		req.Header.Set("X-Gitlab-Event-Streaming-Token", "s3cr3t-token-0123456789")
		resp, err = http.DefaultClient.Do(req)
		return err == nil
	})
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST = %s", resp.Status)
	}
	m := got.wait(t, 1)[0]
	if string(m.AppName) != config.AppNameAudit || string(m.MsgID) != "audit" {
		t.Errorf("APP-NAME %q MSGID %q", m.AppName, m.MsgID)
	}
	if !strings.Contains(string(m.Msg), `"custom_message":"Changed visibility"`) {
		t.Errorf("MSG = %q, want the event", m.Msg)
	}
	if v, _ := m.Param("AuthorName"); v != "Administrator" {
		t.Errorf("AuthorName = %q (SD %s)", v, m.SD)
	}
	stop()
}

// TestStreamingReloadTokens: a reload puts new streaming tokens in use
// without restarting the receiver; a changed listen address waits for a
// restart.
func TestStreamingReloadTokens(t *testing.T) {
	c := newConfig(t, "stdout://")
	c.Sources = []config.Source{}
	port := syslogtest.FreeTCPPort(t)
	const oldToken, newToken = "old-token-0123456789", "new-token-0123456789"
	c.Streaming = config.Streaming{Listen: fmt.Sprintf("127.0.0.1:%d", port), Tokens: []string{oldToken}}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	a, ctx, stop := runInBackground(t, c, Options{Stdout: io.Discard})
	defer stop()
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, config.DefaultStreamingPath)
	post := func(token string) int {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"id": 7, "event_type": "user_created"}`))
		req.Header.Set("X-Gitlab-Event-Streaming-Token", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	waitFor(t, "the streaming receiver", 10*time.Second, func() bool { return post(oldToken) == http.StatusOK })

	nc := *c
	nc.Streaming.Tokens = []string{newToken}
	nc.Streaming.Listen = fmt.Sprintf("127.0.0.1:%d", syslogtest.FreeTCPPort(t))
	if err := a.Reload(ctx, &nc); err != nil {
		t.Fatal(err)
	}
	if code := post(oldToken); code != http.StatusUnauthorized {
		t.Errorf("old token after reload: %d, want 401", code)
	}
	if code := post(newToken); code != http.StatusOK {
		t.Errorf("new token after reload: %d, want 200 (on the unchanged address)", code)
	}
	if nc.Streaming.Listen != c.Streaming.Listen || nc.Streaming.Tokens[0] != newToken {
		t.Errorf("after reload the config has listen %s tokens %v; want the old address and the new token", nc.Streaming.Listen, nc.Streaming.Tokens)
	}
}

// TestGeoIPReloadCorrupt: a reload that finds a GeoIP database replaced by
// a file that is not one (a broken download renamed into place) logs an
// ERROR naming the file and its key's line in the configuration file, and
// saying the previous database stays in use; it does, for the lines read
// after.
func TestGeoIPReloadCorrupt(t *testing.T) {
	dir := t.TempDir()
	db, path, line := asnAccessLog(t, dir)
	got, col := listenMessages(t)
	cfgPath := filepath.Join(dir, "agent.yaml")
	yaml := fmt.Sprintf("state_dir: %s\nhostname: testhost\nforward:\n  url: tcp://%s\nsources:\n  - {type: access, path: %s}\ngeoip:\n  asn_db: %s\n",
		filepath.Join(dir, "state"), col.Addr(), path, db)
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	logs := new(syslogtest.Buffer)
	a, ctx, stop := runInBackground(t, loadFile(t, cfgPath), Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if v, _ := got.wait(t, 1)[0].Param("ASOrganization"); v != "Org One" {
		t.Fatalf("ASOrganization = %q, want Org One", v)
	}

	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i*7 + i/13)
	}
	if err := os.WriteFile(db+".tmp", garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(db+".tmp", db); err != nil {
		t.Fatal(err)
	}
	if err := a.Reload(ctx, loadFile(t, cfgPath)); err != nil {
		t.Fatal(err)
	}
	var geoErr string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "level=ERROR") && strings.Contains(l, "GeoIP") {
			geoErr = l
		}
	}
	for _, want := range []string{"file=" + db, `where="` + cfgPath + `:8: geoip.asn_db"`, "the previous databases stay in use", "fix or replace the file"} {
		if !strings.Contains(geoErr, want) {
			t.Errorf("the reload's GeoIP error lacks %q:\n%s\nlogs:\n%s", want, geoErr, logs.String())
		}
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, strings.Replace(line, "sign_in", "sign_out", 1))
	f.Close()
	if v, _ := got.wait(t, 2)[1].Param("ASOrganization"); v != "Org One" {
		t.Errorf("after the failed reload ASOrganization = %q, want Org One (the previous database)", v)
	}
	stop()
}
