package detect

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

func TestParseIndicators(t *testing.T) {
	set, bad, _ := parseIndicators([]byte(`# comment
203.0.113.0/25   # range
198.51.100.77
2001:db8:0:0::5
2001:db8:ff00::/40
::ffff:192.0.2.0/120
10.1.2.3/8
bogus
300.1.2.3
`))
	if len(bad) != 2 || bad[0].line != 8 || bad[1].line != 9 {
		t.Fatalf("bad lines = %+v, want lines 8 and 9", bad)
	}
	tests := []struct {
		addr string
		want string // matching entry, "" for none
	}{
		{"203.0.113.1", "203.0.113.0/25"},
		{"203.0.113.127", "203.0.113.0/25"},
		{"203.0.113.128", ""},
		{"198.51.100.77", "198.51.100.77"},
		{"198.51.100.78", ""},
		{"2001:db8::5", "2001:db8:0:0::5"},
		{"2001:0db8:0000::0005", "2001:db8:0:0::5"},
		{"2001:db8:ff12::1", "2001:db8:ff00::/40"},
		{"2001:db8:fe00::1", ""},
		{"192.0.2.200", "::ffff:192.0.2.0/120"},
		{"::ffff:203.0.113.9", "203.0.113.0/25"},
		{"10.200.0.1", "10.1.2.3/8"},
	}
	for _, tt := range tests {
		a := netip.MustParseAddr(tt.addr).Unmap()
		got, ok := set.match(a)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("match(%s) = %q, %v; want %q", tt.addr, got, ok, tt.want)
		}
	}
}

// accessEvent parses an access-log line into an event.
func accessEvent(t *testing.T, line string) *Event {
	t.Helper()
	return lineEvent(t, parser.TypeAccess, "gitlab_access.log", line)
}

// TestTIRuleReload checks the bad-line warning (file:line), Reload, and
// the reload when the file's modification time changes.
func TestTIRuleReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ti.txt")
	if err := os.WriteFile(path, []byte("198.51.100.7\nnot-an-ip\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	env := &Env{Log: slog.New(slog.NewTextHandler(&logs, nil)), Now: func() time.Time { return now }}
	r, err := newTIRule(NewParams("sentinel.ti_malicious_ip", map[string]string{"ti_file": path}, nil), env)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), path+":2") {
		t.Errorf("bad line not logged with file:line:\n%s", logs.String())
	}
	hit := accessEvent(t, `198.51.100.7 - - [05/Mar/2025:14:00:00 +0000] "GET / HTTP/1.1" 200 10 "" "curl/8" -`)
	other := accessEvent(t, `192.0.2.1 - - [05/Mar/2025:14:00:01 +0000] "GET / HTTP/1.1" 200 10 "" "curl/8" -`)
	count := func(ev *Event) int {
		n := 0
		r.Observe(ev, env.Now, func(a *Alert) {
			n++
			if a.Get("Indicator") == "" || a.Get(parser.ColURI) != "/" {
				t.Errorf("alert columns: %+v", a.Columns)
			}
		})
		return n
	}
	if count(hit) != 1 || count(other) != 0 {
		t.Fatal("first indicator set not applied")
	}
	// Rewrite the file; the rule notices the new mtime at its next check.
	if err := os.WriteFile(path, []byte("192.0.2.0/24\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	now = now.Add(tiCheckEvery)
	if count(other) != 1 || count(hit) != 0 {
		t.Error("changed file not reloaded")
	}
	// Reload (SIGHUP) with the file gone keeps the current set.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := r.(Reloader).Reload(); err == nil {
		t.Error("Reload of a missing file did not fail")
	}
	if count(other) != 1 {
		t.Error("failed Reload dropped the indicators")
	}
}

func TestTIRuleConfig(t *testing.T) {
	env := &Env{Log: slog.New(slog.DiscardHandler), Now: time.Now}
	if _, err := newTIRule(NewParams("sentinel.ti_malicious_ip", nil, nil), env); !IsOff(err) {
		t.Errorf("without ti_file: %v, want an OffError", err)
	}
	_, err := newTIRule(NewParams("sentinel.ti_malicious_ip", map[string]string{"ti_file": "/nonexistent/ti.txt"}, nil), env)
	if err == nil || !strings.Contains(err.Error(), "parameter ti_file=\"/nonexistent/ti.txt\"") {
		t.Errorf("unreadable ti_file: %v", err)
	}
}

// TestParseIndicatorsForms: files as users save them. Each row gives a
// file, addresses it must list and how many lines it must skip.
func TestParseIndicatorsForms(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		listed  []string
		skipped int    // lines skipped in all; the first tiShowSkipped are shown
		cause   string // in the first line shown
	}{
		{"UTF-8 BOM before the first indicator (saved on Windows)", "\xef\xbb\xbf203.0.113.7\r\n198.51.100.0/24\r\n", []string{"203.0.113.7", "198.51.100.9"}, 0, ""},
		{"UTF-8 BOM before a comment", "\xef\xbb\xbf# list\n203.0.113.7\n", []string{"203.0.113.7"}, 0, ""},
		{"BOM in a later line is not stripped", "203.0.113.7\n\xef\xbb\xbf198.51.100.1\n", []string{"203.0.113.7"}, 1, ""},
		{"CSV feed: every row counted, the first few shown, named as CSV", csvFeed(3000), nil, 3001, "a CSV row?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, bad, total := parseIndicators([]byte(tt.file))
			if total != tt.skipped || len(bad) != min(total, tiShowSkipped) {
				t.Errorf("skipped %d lines, shown %+v; want %d", total, bad, tt.skipped)
			}
			if tt.cause != "" && (len(bad) == 0 || !strings.Contains(bad[0].msg, tt.cause)) {
				t.Errorf("first skipped line %+v lacks %q", bad, tt.cause)
			}
			for _, a := range tt.listed {
				if _, ok := set.match(netip.MustParseAddr(a)); !ok {
					t.Errorf("%s not listed", a)
				}
			}
		})
	}
}

// TestParseIndicatorsCauses: each line is listed, or skipped with a cause
// that says what is wrong with it and, where it can, what to write.
func TestParseIndicatorsCauses(t *testing.T) {
	tests := []struct {
		line   string
		listed string // an address the line lists; "" when it is skipped
		cause  string // the cause of skipping it
	}{
		{"10.0.0.0/32", "10.0.0.0", ""},
		{"2001:db8::/128", "2001:db8::", ""},
		{"fe80::1%eth0", "fe80::1", ""}, // the zone is dropped, as before
		{"10.0.0.0/33", "", `"10.0.0.0/33": prefix length 33 is above 32, the most for an IPv4 CIDR: write 32 or less (10.0.0.0/32 is the one address)`},
		{"10.0.0.0/255", "", `"10.0.0.0/255": prefix length 255 is above 32, the most for an IPv4 CIDR`},
		{"2001:db8::/129", "", `"2001:db8::/129": prefix length 129 is above 128, the most for an IPv6 CIDR: write 128 or less (2001:db8::/128 is the one address)`},
		{"::ffff:192.0.2.1/129", "", `"::ffff:192.0.2.1/129": prefix length 129 is above 128, the most for an IPv6 CIDR`},
		{"fe80::%eth0/64", "", `"fe80::%eth0/64": a CIDR takes no IPv6 zone (%eth0): write fe80::/64`},
		{"fe80::/64%eth0", "", `"fe80::/64%eth0": a CIDR takes no IPv6 zone (%eth0): write fe80::/64`},
		{"10.0.0.0/+8", "", `"10.0.0.0/+8" is not an IP address or CIDR`},
		{"10.0.0.0/x", "", `"10.0.0.0/x" is not an IP address or CIDR`},
		{"300.0.0.0/8", "", `"300.0.0.0/8" is not an IP address or CIDR`},
		{"10.0.0.0/8,80", "", `"10.0.0.0/8,80" is not an IP address or CIDR (a CSV row?`},
		// A long or binary line is quoted by its first 64 bytes at most,
		// cut on a UTF-8 boundary, with its length (fresh-user trial: a
		// binary ti_file had its lines of kilobytes quoted whole).
		{strings.Repeat("x", 64), "", `"` + strings.Repeat("x", 64) + `" is not an IP address or CIDR`},
		{strings.Repeat("x", 500), "", `"` + strings.Repeat("x", 64) + `"... (the first 64 of 500 bytes) is not an IP address or CIDR`},
		{strings.Repeat("a", 63) + strings.Repeat("é", 20), "", `"` + strings.Repeat("a", 63) + `"... (the first 63 of 103 bytes) is not an IP address or CIDR`},
		{"\x7fELF\x02\x01\x01" + strings.Repeat("\x00\xc0\x86I", 40), "", `"\x7fELF\x02\x01\x01` + strings.Repeat(`\x00\xc0\x86I`, 14) + `\x00"... (the first 64 of 167 bytes) is not an IP address or CIDR`},
		{strings.Repeat("y", 300) + ",80", "", `"` + strings.Repeat("y", 64) + `"... (the first 64 of 303 bytes) is not an IP address or CIDR (a CSV row?`},
		{"10.0.0.0/" + strings.Repeat("9", 200), "", `"10.0.0.0/` + strings.Repeat("9", 55) + `"... (the first 64 of 209 bytes) is not an IP address or CIDR`},
	}
	for _, tt := range tests {
		name := tt.line
		if len(name) > 40 {
			name = fmt.Sprintf("%.40q, %d bytes", name, len(name))
		}
		t.Run(name, func(t *testing.T) {
			set, bad, total := parseIndicators([]byte("# feed\n" + tt.line + "\n"))
			if tt.listed != "" {
				if total != 0 {
					t.Fatalf("skipped: %+v", bad)
				}
				if _, ok := set.match(netip.MustParseAddr(tt.listed)); !ok {
					t.Errorf("%s not listed", tt.listed)
				}
				return
			}
			if total != 1 || bad[0].line != 2 || !strings.HasPrefix(bad[0].msg, tt.cause) {
				t.Errorf("skipped %d line(s): %+v; want line 2: %s", total, bad, tt.cause)
			}
		})
	}
}

// csvFeed returns a CSV threat-intelligence feed: a header and n rows.
func csvFeed(n int) string {
	var b strings.Builder
	b.WriteString("ip,first_seen,confidence\n")
	for i := range n {
		fmt.Fprintf(&b, "203.0.%d.%d,2024-01-01,80\n", i/250, i%250+1)
	}
	return b.String()
}

// TestTIRuleSkippedLog: a file of many bad lines (a CSV feed) logs the
// first tiShowSkipped with file:line and cause and one more line with the
// count of the rest, not a line each; FileReport says the same.
func TestTIRuleSkippedLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "feed.csv")
	if err := os.WriteFile(path, []byte("198.51.100.7\n"+csvFeed(3000)), 0o600); err != nil {
		t.Fatal(err)
	}
	r, logs := tiRuleLogged(t, path)
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != tiShowSkipped+1 {
		t.Fatalf("%d log lines, want %d:\n%s", len(lines), tiShowSkipped+1, strings.Join(lines[:min(len(lines), 10)], "\n"))
	}
	for i, l := range lines[:tiShowSkipped] {
		if want := fmt.Sprintf("file=%s:%d ", path, i+2); !strings.Contains(l, want) || !strings.Contains(l, "is not an IP address or CIDR") {
			t.Errorf("log line %d = %s; want %s and the cause", i, l, want)
		}
	}
	if l := lines[tiShowSkipped]; !strings.Contains(l, "file="+path+" ") || !strings.Contains(l, "lines=2996 ") {
		t.Errorf("last log line = %s; want the file and lines=2996", l)
	}
	rep := r.(FileReporter).FileReport()
	if rep.File != path || rep.SkippedTotal != 3001 || len(rep.Skipped) != tiShowSkipped ||
		!strings.HasPrefix(rep.Skipped[0], path+`:2: "ip,first_seen,confidence" is not`) {
		t.Errorf("FileReport = %d skipped, %q", rep.SkippedTotal, rep.Skipped)
	}
}

// TestTIRuleNoIndicator: a ti_file that lists no address or CIDR warns,
// naming the file and saying that the rule matches nothing, and its
// FileReport says so (Empty when no line was skipped); a reload that finds
// indicators clears it. A reload that then finds none fails, the
// indicators loaded stay and one error names the file and the cause: a
// file that is malformed (lines, none of them an indicator) and one that
// became empty alike (a feed job between truncating and writing it; the
// error says how to turn the rule off instead, enabled: false).
func TestTIRuleNoIndicator(t *testing.T) {
	tests := []struct {
		name, file string
		unusable   bool
		empty      bool   // FileReport.Empty
		refused    string // the error of a reload after indicators were loaded; "": taken
	}{
		{"empty", "", true, true, "became empty"},
		{"comments and blank lines only", "# indicators\n\n   # none yet\n", true, true, "became empty"},
		{"BOM only", "\xef\xbb\xbf", true, true, "became empty"},
		{"no line an address (CSV)", csvFeed(3), true, false, "holds nothing usable"},
		{"one address among bad lines", "bogus\n203.0.113.7\n", false, false, ""},
		{"one CIDR", "2001:db8::/32\n", false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ti.txt")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			r, logs := tiRuleLogged(t, path)
			warned := strings.Contains(logs.String(), "matches nothing") && strings.Contains(logs.String(), "file="+path+" ")
			rep := r.(FileReporter).FileReport()
			reported := strings.Contains(rep.Unusable, path) && strings.Contains(rep.Unusable, "matches nothing")
			if warned != tt.unusable || reported != tt.unusable || (rep.Unusable != "") != tt.unusable || rep.Empty != tt.empty {
				t.Errorf("warned %v, reported %q (empty %v); want %v (empty %v)\n%s", warned, rep.Unusable, rep.Empty, tt.unusable, tt.empty, logs.String())
			}
			// The warning is detect's too, which has no SIGHUP; the report
			// is check's, about run, which has.
			if tt.unusable && (strings.Contains(logs.String(), "SIGHUP") || !strings.Contains(logs.String(), "read again when it changes") || !strings.Contains(rep.Unusable, "on SIGHUP")) {
				t.Errorf("warning or report names the wrong reload:\nwarning %s\nreport %s", logs.String(), rep.Unusable)
			}
			// Reload (SIGHUP) with an indicator clears it; with none again warns.
			if err := os.WriteFile(path, []byte("203.0.113.7\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			logs.Reset()
			if err := r.(Reloader).Reload(); err != nil || r.(FileReporter).FileReport().Unusable != "" || logs.Len() > 0 {
				t.Errorf("after a reload with an indicator: err %v, report %+v, log %s", err, r.(FileReporter).FileReport(), logs.String())
			}
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			err := r.(Reloader).Reload()
			if tt.refused != "" {
				_, kept := r.(*tiRule).set.Load().match(netip.MustParseAddr("203.0.113.7"))
				if err == nil || !kept || strings.Count(logs.String(), "level=ERROR") != 1 ||
					!strings.Contains(logs.String(), tt.refused) || !strings.Contains(logs.String(), "file="+path+" ") ||
					!strings.Contains(logs.String(), "enabled: false") {
					t.Errorf("reload of the malformed file: err %v, indicator kept %v, want an error and the indicator kept, one error logged:\n%s", err, kept, logs.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(logs.String(), "matches nothing"); got != tt.unusable {
				t.Errorf("reload of the file again: warned %v, want %v\n%s", got, tt.unusable, logs.String())
			}
		})
	}
}

// tiRuleLogged returns a TI rule reading the indicator file path, and the
// warnings it logged (text handler, level WARN and above); it fails t when
// the rule cannot be made.
func tiRuleLogged(t *testing.T, path string) (Rule, *bytes.Buffer) {
	t.Helper()
	logs := new(bytes.Buffer)
	env := &Env{Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})), Now: time.Now}
	r, err := newTIRule(NewParams("sentinel.ti_malicious_ip", map[string]string{"ti_file": path}, nil), env)
	if err != nil {
		t.Fatal(err)
	}
	return r, logs
}

// TestTICanonText checks the address text that suppression and the
// alert_id of sentinel.ti_malicious_ip key on: one address, however it is
// logged, has one text.
func TestTICanonText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"81.2.69.142", "81.2.69.142"},
		{"::ffff:81.2.69.142", "81.2.69.142"},
		{"::FFFF:81.2.69.142", "81.2.69.142"},
		{"2001:db8::5", "2001:db8::5"},
		{"2001:DB8:0:0::5", "2001:db8::5"},
		{"2001:db8:0:0:0:0:0:5", "2001:db8::5"},
		{"fe80::1%eth0", "fe80::1"},
		{"FE80::1%eth1", "fe80::1"},
		{"not-an-address", "not-an-address"},
		{"", ""},
	} {
		if got := foldAddr(c.in); got != c.want {
			t.Errorf("foldAddr(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestParseIndicatorsInternal: an indicator that covers addresses not on
// the Internet (private, shared, loopback, link-local, "this network") is
// kept and noted with its line and the range it covers, the first
// tiShowSkipped of them shown; public ones are not noted.
func TestParseIndicatorsInternal(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		lines []int  // the lines noted, in order
		total int    // noted in all
		first string // in the first note
	}{
		{"public only", "203.0.113.7\n198.51.100.0/24\n2001:db8::/32\n8.8.8.8\n", nil, 0, ""},
		{"a private /8", "203.0.113.7\n10.0.0.0/8\n", []int{2}, 1, `"10.0.0.0/8" lies in or overlaps 10.0.0.0/8`},
		{"one private address", "192.168.1.5 # the build host\n", []int{1}, 1, "lies in or overlaps 192.168.0.0/16"},
		{"a prefix around private space", "0.0.0.0/0\n", []int{1}, 1, "lies in or overlaps 10.0.0.0/8"},
		{"a prefix inside shared space (RFC 6598)", "100.64.3.0/24\n", []int{1}, 1, "lies in or overlaps 100.64.0.0/10"},
		{"an IPv4-mapped loopback", "::ffff:127.0.0.1\n", []int{1}, 1, "lies in or overlaps 127.0.0.0/8"},
		{"IPv6 link-local and unique local", "fe80::1\nfd00::/8\n::1\n", []int{1, 2, 3}, 3, "lies in or overlaps fe80::/10"},
		{"next to private space, not in it", "172.32.0.0/16\n11.0.0.0/8\n192.169.0.0/16\n", nil, 0, ""},
		{"many: the first few shown", strings.Repeat("10.1.2.3\n", 9), []int{1, 2, 3, 4, 5}, 9, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, bad, _ := parseIndicators([]byte(tt.file))
			if len(bad) != 0 {
				t.Fatalf("lines skipped: %+v", bad)
			}
			var lines []int
			for _, l := range set.internal {
				lines = append(lines, l.line)
			}
			if !slices.Equal(lines, tt.lines) || set.ninternal != tt.total {
				t.Errorf("noted lines %v of %d; want %v of %d (%+v)", lines, set.ninternal, tt.lines, tt.total, set.internal)
			}
			if tt.first != "" && !strings.Contains(set.internal[0].msg, tt.first) {
				t.Errorf("note %q lacks %q", set.internal[0].msg, tt.first)
			}
		})
	}
}
