package detect

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// testPlaces are the networks of the test GeoIP City database: ranges of
// MaxMind's own test database, plus private ranges carrying data that must
// never be used (geoip skips them).
var testPlaces = []struct{ network, city, country, iso string }{
	{"175.16.0.0/16", "", "China", "CN"}, // before the /24 inside it, which overrides it
	{"175.17.0.0/16", "", "China", "CN"},
	{"175.16.199.0/24", "Changchun", "China", "CN"},
	{"81.2.69.0/24", "London", "United Kingdom", "GB"},
	{"89.160.20.0/24", "Linköping", "Sweden", "SE"},
	{"2a02:c7c::/32", "Lisbon", "Portugal", "PT"},
	{"10.0.0.0/8", "Private", "Nowhere", "ZZ"},
	{"127.0.0.0/8", "Loopback", "Nowhere", "ZZ"},
	{"192.168.0.0/16", "Private", "Nowhere", "ZZ"},
}

// geoFixture is the test GeoIP City database the golden cases of the
// GeoIP rules use (args: --param geoip_db=...); TestGeoIPFixture checks
// that it is what writeGeoDB builds from testPlaces.
var geoFixture = filepath.Join("..", "..", "testdata", "geoip", "GeoIP2-City-Test.mmdb")

// writeGeoDB writes a GeoIP2 City database with testPlaces to path, as
// internal/geoip's tests build theirs.
func writeGeoDB(t testing.TB, path string) {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoIP2-City", RecordSize: 24, IncludeReservedNetworks: true,
		BuildEpoch: 1767225600}) // a fixed build time, so that the file is reproducible
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range testPlaces {
		_, n, err := net.ParseCIDR(p.network)
		if err != nil {
			t.Fatal(err)
		}
		m := mmdbtype.Map{
			"country":   mmdbtype.Map{"iso_code": mmdbtype.String(p.iso), "names": mmdbtype.Map{"en": mmdbtype.String(p.country)}},
			"continent": mmdbtype.Map{"code": mmdbtype.String("XX"), "names": mmdbtype.Map{"en": mmdbtype.String("Somewhere")}},
		}
		if p.city != "" {
			m["city"] = mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(p.city)}}
		}
		if err := tree.Insert(n, m); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// testGeoDB opens the committed test GeoIP database.
func testGeoDB(t testing.TB) *geoip.DB {
	t.Helper()
	db, err := geoip.Open(geoFixture, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// typeOfFile returns the log type and origin of a golden input file by its
// name, as the agent's default sources name them; events.log holds Audit
// Event Streaming bodies as the receiver spools them.
func typeOfFile(name string) (parser.Type, Origin) {
	switch {
	case strings.HasPrefix(name, "events"):
		return parser.TypeAudit, OriginStream
	case strings.HasPrefix(name, "audit"):
		return parser.TypeAudit, OriginFile
	case strings.HasPrefix(name, "application"):
		return parser.TypeApplication, OriginFile
	case strings.Contains(name, "access"):
		return parser.TypeAccess, OriginFile
	}
	return parser.TypeUnknown, OriginFile
}

// readEvents parses every line of the log files in dir into events, merged
// in event-time order as detect does (see mergeFiles).
func readEvents(t testing.TB, dir string) []*Event {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files [][]*Event
	for _, de := range ents {
		typ, origin := typeOfFile(de.Name())
		if de.IsDir() || typ == parser.TypeUnknown {
			continue
		}
		files = append(files, parseFile(t, filepath.Join(dir, de.Name()), typ, origin))
	}
	return mergeFiles(files)
}

// mergeFiles merges the events of files in event-time order as detect
// does: each file's lines stay in file order (a file out of order is
// read as written, its offsets rising), and the file whose next event is
// the oldest goes first, the earlier file on a tie. An event without a
// time sorts at the time of the event before it in its file.
func mergeFiles(files [][]*Event) []*Event {
	var out []*Event
	next := make([]int, len(files))
	key := make([]time.Time, len(files))
	head := func(i int) (time.Time, bool) {
		if next[i] == len(files[i]) {
			return time.Time{}, false
		}
		if ev := files[i][next[i]]; !ev.Time.IsZero() {
			return ev.Time, true
		}
		return key[i], true
	}
	for {
		best, bt := -1, time.Time{}
		for i := range files {
			if t, ok := head(i); ok && (best < 0 || t.Before(bt)) {
				best, bt = i, t
			}
		}
		if best < 0 {
			return out
		}
		key[best] = bt
		out = append(out, files[best][next[best]])
		next[best]++
	}
}

// parseFile parses one log file; a line that does not parse fails the test.
func parseFile(t testing.TB, path string, typ parser.Type, origin Origin) []*Event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := parser.New(typ)
	var rec parser.Record
	var evs []*Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var off int64
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if err := p.Parse(line, &rec); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		src := path
		if origin == OriginStream {
			src = "stream"
		}
		ev := NewEvent(&rec, line, src, origin)
		if origin == OriginFile {
			ev.FileID, ev.Offset = "test:"+filepath.Base(path), off
		}
		off += int64(len(line)) + 1
		evs = append(evs, ev)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return evs
}

// readArgs reads the --param NAME=VALUE pairs of a golden case's args file
// (the format the detect golden runner reads; $DIR is the case directory).
func readArgs(t testing.TB, dir string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "args"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	f := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i := 0; i+1 < len(f); i += 2 {
		k, v, ok := strings.Cut(strings.ReplaceAll(f[i+1], "$DIR", dir), "=")
		if f[i] != "--param" || !ok {
			t.Fatalf("%s/args: want --param NAME=VALUE pairs, got %q %q", dir, f[i], f[i+1])
		}
		out[k] = v
	}
	return out
}

// runRule runs the engine with only rule id over evs and returns the
// alerts; params are the rule's parameters.
func runRule(t testing.TB, id string, params map[string]string, geo *geoip.DB, stateDir string, evs []*Event) ([]*Alert, *Engine) {
	t.Helper()
	var alerts []*Alert
	e, err := New(Config{
		Only:     []string{id},
		Rules:    map[string]RuleConfig{id: {Params: params}},
		Geo:      geo,
		StateDir: stateDir,
		Now:      func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) },
		Emit:     func(a *Alert) { alerts = append(alerts, a) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if off := e.Off(); len(off) > 0 {
		t.Fatalf("rule off: %v", off[0])
	}
	for _, ev := range evs {
		e.Process(ev)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return alerts, e
}

// tAt returns a fixed test instant plus d ("90s", "2h").
func tAt(d string) time.Time {
	base := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	if d == "" {
		return base
	}
	x, err := time.ParseDuration(d)
	if err != nil {
		panic(err)
	}
	return base.Add(x)
}

// failedLogin returns an application-log failed_login event.
func failedLogin(user, ip string, when time.Time) *Event {
	return &Event{Type: parser.TypeApplication, Time: when, Source: "application_json.log", Origin: OriginFile,
		Columns: []Column{{parser.ColEventKind, parser.KindFailedLogin}, {parser.ColUsername, user}, {parser.ColIPAddress, ip}}}
}

// ts formats an alert time for comparisons ("" for the zero time).
func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// lineEvent parses line, of log type typ, into the Event of a line read
// from the file source.
func lineEvent(t *testing.T, typ parser.Type, source, line string) *Event {
	t.Helper()
	var rec parser.Record
	if err := parser.New(typ).Parse([]byte(line), &rec); err != nil {
		t.Fatal(err)
	}
	return NewEvent(&rec, []byte(line), source, OriginFile)
}
