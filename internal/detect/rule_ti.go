package detect

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// tiShowSkipped is how many skipped lines of the indicator file are
// logged (and listed by check) one by one, each with its line and cause;
// the rest are counted (a CSV feed has thousands).
const tiShowSkipped = 5

// tiFormatHint says what the indicator file holds.
const tiFormatHint = "list one IP address or CIDR per line (# starts a comment)"

// tiWarnHint is the hint of the warning that the file lists nothing,
// which detect and run both log: both read the file again when it changes
// (only run has a SIGHUP, so the warning does not name it).
const tiWarnHint = tiFormatHint + "; the file is read again when it changes"

// tiReportHint is the hint of FileReport's Unusable, which check prints
// about the agent (run).
const tiReportHint = tiFormatHint + "; run rereads the file when it changes and on SIGHUP"

// tiCheckEvery is how often (wall clock) the TI rule looks at the
// indicator file's identity, modification time and size (fileStamp).
const tiCheckEvery = 2 * time.Second

func tiSpec() Spec {
	return Spec{
		Info: sentinel("ti_malicious_ip", "GitLab - TI - Connection from Malicious IP", KindExternal,
			list("InitialAccess"), list("T1078"),
			"A request came from an address listed in the threat-intelligence indicator file (ti_file). One alert per address per suppression period."),
		Default:  true,
		Params:   list("ti_file", "all_logs"),
		Suppress: 60 * time.Minute,
		Logs: func(p *Params) []parser.Type {
			if p.Bool("all_logs", false) {
				return []parser.Type{parser.TypeAccess, parser.TypeAudit, parser.TypeApplication}
			}
			return []parser.Type{parser.TypeAccess}
		},
		LogsHint: func(p *Params) (string, string) {
			if p.Bool("all_logs", false) {
				return "", ""
			}
			return "all_logs", "to match the addresses of audit and application lines too"
		},
		New: newTIRule,
	}
}

// tiRule matches IPAddress against a set of indicator addresses and
// prefixes read from ti_file (sentinel.ti_malicious_ip, Sentinel's "GitLab
// - TI - Connection from Malicious IP"; this agent has no Sentinel
// ThreatIntelligenceIndicator table, so the indicators come from a file).
// See parseIndicators for the file's format, and rule_ti_file.go for how
// the file is read again while the agent runs.
type tiRule struct {
	path     string
	allLogs  bool
	log      *slog.Logger
	now      Clock
	set      atomic.Pointer[indicators] // read by Keep without the engine lock
	bad      []badLine                  // the first lines the last load skipped
	nbad     int                        // the lines it skipped in all
	unusable *tiUnusable                // the last load found the file is no UTF-8 text (UTF-16, gzip)
	seen     fileStamp                  // the file as last read, loaded or refused
	modified int64                      // mtime (Unix ns) of the file the indicators in use were read from; 0: none
	checked  time.Time                  // wall clock of the last look at the file
	fault    *tiFault                   // the file cannot be used now; nil when it can
	// from is the file the indicators in use were read from when it is
	// not path: those kept (keepData) from the rule of the engine this
	// one replaced, whose ti_file was another; "" once path is taken.
	from string
	// pending is set for a rule built for a running agent until keepData
	// gave it the indicators of the rule it replaces: its faults are
	// logged then, with the indicators it keeps, not before (a look at
	// the file while the engine restores its state would say it runs
	// with none).
	pending bool
}

func newTIRule(p *Params, env *Env) (Rule, error) {
	path := p.String("ti_file", "")
	r := &tiRule{path: path, allLogs: p.Bool("all_logs", false), log: env.Log, now: env.Now}
	if path == "" {
		return nil, &OffError{Rule: p.Rule(), Reason: "no ti_file (an indicator file: one IP address or CIDR per line)", Param: "ti_file"}
	}
	if env.Running { // an agent: the file's faults are the data's, not the config's
		none, _, _ := parseIndicators(nil) // with its v4Filter, which Keep reads
		r.set.Store(none)
		r.pending = true
		r.update(false, true) // keepData decides what an empty file means
		return r, nil
	}
	f, err := readTIFile(path)
	if err != nil {
		p.Fail("ti_file", err.Error())
		return nil, p.Err()
	}
	r.take(f)
	return r, nil
}

func (r *tiRule) Info() Info { return tiSpec().Info }

// Wants asks for every access-log line, and with all_logs every audit and
// application line too.
func (r *tiRule) Wants() []Key {
	ks := []Key{AllOf(parser.TypeAccess)}
	if r.allLogs {
		ks = append(ks, AllOf(parser.TypeAudit), AllOf(parser.TypeApplication))
	}
	return ks
}

// Reload (SIGHUP) reads the indicator file again, whether it changed or
// not. A file that cannot be read or holds nothing usable (see
// tiFile.malformed), or is empty while the rule holds indicators, leaves
// the indicators in use; that is logged once, with the file, the cause and
// what to do, and returned.
func (r *tiRule) Reload() error {
	r.fault = nil // a SIGHUP asks: say it again
	if r.update(true, r.holding()) {
		return nil
	}
	return r.fault.err
}

// take makes the indicators of f the rule's. Its skipped lines are logged:
// the first tiShowSkipped with file, line and cause, the rest counted in
// one more line; so is a file that lists no indicator, or is no UTF-8
// text (UTF-16, gzip), which leaves the rule matching nothing.
func (r *tiRule) take(f *tiFile) {
	r.seen, r.fault, r.from = f.stamp, nil, ""
	if f.unusable != nil {
		r.loadUnusable(f.unusable)
		return
	}
	for _, l := range r.skipped(f.bad) {
		r.log.Warn("threat-intelligence indicator skipped", "file", l.file, "err", l.msg)
	}
	if more := f.nbad - len(f.bad); more > 0 {
		r.log.Warn("more threat-intelligence indicator lines skipped", "file", r.path, "lines", more,
			"note", fmt.Sprintf("only the first %d are logged one by one; the file takes one IP address or CIDR per line, # starts a comment", len(f.bad)))
	}
	for _, l := range r.skipped(f.set.internal) {
		r.log.Warn("threat-intelligence indicator covers internal addresses; kept", "file", l.file, "warning", l.msg)
	}
	if more := f.set.ninternal - len(f.set.internal); more > 0 {
		r.log.Warn("more threat-intelligence indicators cover internal addresses; kept", "file", r.path, "more_entries", more,
			"note", fmt.Sprintf("only the first %d are logged one by one", len(f.set.internal)))
	}
	if f.set.len() == 0 {
		r.log.Warn("threat-intelligence file lists no IP address or CIDR: sentinel.ti_malicious_ip matches nothing",
			"file", r.path, "skipped", f.nbad, "hint", tiWarnHint)
	}
	r.set.Store(f.set)
	r.bad, r.nbad, r.unusable, r.modified = f.bad, f.nbad, nil, f.stamp.mtime
	r.log.Info("threat-intelligence indicators loaded", "file", r.path, "indicators", f.set.len(), "skipped", f.nbad)
}

// loadUnusable loads no indicator from the file, which is no UTF-8 text
// (u: UTF-16, gzip), and says so once instead of refusing each of its
// lines.
func (r *tiRule) loadUnusable(u *tiUnusable) {
	if u.Kind == "gzip" {
		r.log.Warn("threat-intelligence file is gzip-compressed: sentinel.ti_malicious_ip matches nothing",
			"file", r.path, "hint", "the file must be plain text; "+u.Fix)
	} else {
		r.log.Warn("threat-intelligence file is UTF-16, not UTF-8: sentinel.ti_malicious_ip matches nothing",
			"file", r.path, "encoding", u.Kind, "hint", "the file must be UTF-8; "+u.Fix)
	}
	set, _, _ := parseIndicators(nil)
	r.set.Store(set)
	r.bad, r.nbad, r.unusable, r.modified = nil, 0, u, 0
}

// skippedLine is a skipped line of the indicator file: "FILE:LINE" (or
// FILE when the file could not be read to its end) and the cause.
type skippedLine struct{ file, msg string }

func (r *tiRule) skipped(bad []badLine) []skippedLine {
	out := make([]skippedLine, 0, len(bad))
	for _, b := range bad {
		f := r.path
		if b.line > 0 {
			f = fmt.Sprintf("%s:%d", r.path, b.line)
		}
		out = append(out, skippedLine{f, b.msg})
	}
	return out
}

// FileReport implements FileReporter: the first lines of the indicator
// file that the last load skipped, each "FILE:LINE: cause", how many it
// skipped in all, and whether the file listed no indicator at all (Empty
// when it skipped no line either) or was no UTF-8 text (UTF-16, gzip).
func (r *tiRule) FileReport() FileReport {
	rep := FileReport{File: r.path, SkippedTotal: r.nbad, Entries: r.set.Load().len(), From: r.from,
		Usable: r.fault == nil && r.unusable == nil && r.set.Load().len() > 0}
	if r.modified != 0 {
		rep.Modified = time.Unix(0, r.modified).UTC()
	}
	switch {
	case r.unusable != nil:
		rep.Unusable = fmt.Sprintf("%s is %s, so the rule matches nothing: %s", r.path, r.unusable.Is, r.unusable.Fix)
	case r.set.Load().len() == 0:
		rep.Unusable = fmt.Sprintf("%s lists no IP address or CIDR (%d line(s) skipped), so the rule matches nothing: %s", r.path, r.nbad, tiReportHint)
		rep.Empty = r.nbad == 0
	}
	for _, l := range r.skipped(r.bad) {
		rep.Skipped = append(rep.Skipped, l.file+": "+l.msg)
	}
	set := r.set.Load()
	for _, l := range r.skipped(set.internal) {
		rep.Internal = append(rep.Internal, l.file+": "+l.msg)
	}
	rep.InternalTotal = set.ninternal
	return rep
}

// colMetaRemoteIP is the Labkit context key that carries the client
// address of a Rails request (GitLab's Labkit::Context, "meta.remote_ip"),
// the parser's column of the same name.
const colMetaRemoteIP = "meta.remote_ip"

// address returns the address of a line the rule matches: IPAddress; or,
// with all_logs, on an audit or application line that has none,
// meta.remote_ip, the only address of the sign-in lines GitLab's legacy
// AuditEventService writes. "" when the line has neither.
func (r *tiRule) address(c Columns) string {
	ip := c.Get(parser.ColIPAddress)
	if ip == "" && r.allLogs {
		ip = c.Get(colMetaRemoteIP)
	}
	return ip
}

// Keep implements Filter: lines whose address (see address) is listed. It
// parses the address without copying it.
func (r *tiRule) Keep(_ parser.Type, c Columns) bool {
	ip := r.address(c)
	if s := r.set.Load(); s == nil || s.v4.missed(ip) {
		return false
	}
	_, ok := r.lookup(ip)
	return ok
}

// lookup returns the indicator that lists ip, an address as logged (an
// IPv4-mapped IPv6 address is its IPv4 address, and a zone is ignored),
// and whether one does.
func (r *tiRule) lookup(ip string) (string, bool) {
	addr, ok := canonAddr(ip)
	if !ok {
		return "", false
	}
	return r.set.Load().match(addr)
}

// canonAddr parses ip, an address as logged, into the address it names:
// an IPv4-mapped IPv6 address is its IPv4 address and a zone is dropped
// (a link-local address as logged, fe80::1%eth0, is fe80::1). It reports
// false when ip is empty or no address.
func canonAddr(ip string) (netip.Addr, bool) {
	if ip == "" {
		return netip.Addr{}, false
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return netip.Addr{}, false
	}
	return addr.Unmap().WithZone(""), true
}

// Observe alerts on a line whose address an indicator lists. The alert's
// IPAddress is the address as logged (::ffff:81.2.69.142 stays so); its
// suppression and alert_id take the address in canonical text (Alert's
// canon), so that one address written several ways (IPv4-mapped, with a
// zone, another zero compression or case) is suppressed as one.
func (r *tiRule) Observe(ev *Event, _ Clock, emit Emit) {
	r.maybeReload()
	ip := r.address(ev)
	ind, ok := r.lookup(ip)
	if !ok {
		return
	}
	a := &Alert{Time: ev.Time, Event: ev,
		Key:     []Column{{parser.ColIPAddress, ip}},
		Columns: []Column{{"Indicator", ind}},
	}
	if canon := foldAddr(ip); canon != ip {
		a.canon = []Column{{parser.ColIPAddress, canon}}
	}
	for _, c := range []string{parser.ColRequestVerb, parser.ColURI, parser.ColResponseCode, parser.ColRemoteUser, parser.ColUserAgent} {
		if v := ev.Get(c); v != "" {
			a.Columns = append(a.Columns, Column{c, v})
		}
	}
	emit(a)
}

// Advance looks at the indicator file (maybeReload): with the filter, a
// line whose address a new indicator lists reaches Observe only once the
// file is reread.
func (r *tiRule) Advance(time.Time, Emit) { r.maybeReload() }
func (r *tiRule) Close(Emit)              {}

// refresh implements refresher: Engine.Refresh looks at the indicator
// file on the wall clock, with no event needed.
func (r *tiRule) refresh() { r.maybeReload() }

// indicators is a set of addresses and prefixes. Addresses are compared
// as parsed values (IPv4-mapped IPv6 as IPv4), never as text.
type indicators struct {
	addrs    map[netip.Addr]string
	prefixes map[netip.Prefix]string
	lengths  []int     // distinct prefix lengths, longest first
	v4       *v4Filter // the /16s the IPv4 indicators touch
	// internal are the first tiShowSkipped indicators that cover
	// addresses no threat feed lists (internalRanges), and ninternal
	// their count: kept, and warned of.
	internal  []badLine
	ninternal int
}

// internalRanges are the ranges of addresses that are not on the
// Internet (RFC 1918 and RFC 4193 private, RFC 6598 shared, loopback,
// link-local, "this network"): the clients, load balancers and health
// checks of the GitLab host's own network. Threat feeds list none of
// them (Sentinel's TI matching leaves them out), so an indicator that
// covers one alerts on internal traffic, most likely by mistake.
var internalRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("::/128"),
}

// internalRange returns the first of internalRanges that p overlaps, and
// whether there is one.
func internalRange(p netip.Prefix) (netip.Prefix, bool) {
	for _, r := range internalRanges {
		if p.Overlaps(r) {
			return r, true
		}
	}
	return netip.Prefix{}, false
}

// utf8BOM is the UTF-8 byte order mark, which Windows editors write at the
// start of a text file.
var utf8BOM = []byte("\xef\xbb\xbf")

type badLine struct {
	line int
	msg  string
}

// parseIndicators reads one address or CIDR per line; "#" starts a
// comment, blank lines are skipped, a CIDR with host bits set is masked,
// an IPv6 zone on an address (fe80::1%eth0) is dropped (access-log
// addresses carry none), and a line that is neither is skipped with its
// cause (notIndicator, notCIDR).
// A UTF-8 byte order mark at the start of the file (a list saved on
// Windows) is ignored. It returns the set, the first tiShowSkipped lines
// it skipped (and the error that stopped the reading, as line 0), and the
// number of lines skipped in all.
func parseIndicators(b []byte) (*indicators, []badLine, int) {
	b = bytes.TrimPrefix(b, utf8BOM)
	set := &indicators{addrs: make(map[netip.Addr]string), prefixes: make(map[netip.Prefix]string)}
	var bad []badLine
	nbad := 0
	skip := func(n int, msg string) {
		if nbad++; len(bad) < tiShowSkipped {
			bad = append(bad, badLine{n, msg})
		}
	}
	seen := make(map[int]bool)
	note := func(n int, s string, p netip.Prefix) {
		if r, ok := internalRange(p); ok {
			if set.ninternal++; len(set.internal) < tiShowSkipped {
				set.internal = append(set.internal, badLine{n, fmt.Sprintf("%s lies in or overlaps %s, addresses not on the Internet (your own network's clients, proxies, health checks); remove it unless that is meant", quoteLine(s), r)})
			}
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		s := sc.Text()
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = s[:i]
		}
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				skip(n, notCIDR(s))
				continue
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-unmapBits(p.Addr())).Masked()
			if !p.IsValid() {
				skip(n, fmt.Sprintf("%s: an IPv4-mapped prefix needs at least 96 bits", quoteLine(s)))
				continue
			}
			set.prefixes[p] = s
			seen[p.Bits()<<1|boolInt(p.Addr().Is4())] = true
			note(n, s, p)
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			skip(n, notIndicator(s))
			continue
		}
		a = a.Unmap().WithZone("")
		set.addrs[a] = s
		note(n, s, netip.PrefixFrom(a, a.BitLen()))
	}
	if err := sc.Err(); err != nil {
		nbad++
		bad = append(bad, badLine{0, err.Error()}) // always shown: the rest of the file was not read
	}
	for k := range seen {
		set.lengths = append(set.lengths, k)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(set.lengths)))
	set.v4 = newV4Filter(set)
	return set, bad, nbad
}

// tiQuoteMax is how many bytes of a skipped line of the indicator file its
// cause quotes: the lines of a binary file, or of an HTML page a feed job
// saved, are kilobytes long, and would fill the log and check's output.
const tiQuoteMax = 64

// quoteLine returns s, a skipped line of the indicator file, quoted as %q
// does (non-printable bytes escaped); a line longer than tiQuoteMax bytes
// is cut to at most tiQuoteMax, on a UTF-8 boundary, and its length told.
func quoteLine(s string) string {
	if len(s) <= tiQuoteMax {
		return strconv.Quote(s)
	}
	cut := 0
	for cut < len(s) {
		_, w := utf8.DecodeRuneInString(s[cut:]) // an invalid byte is 1
		if cut+w > tiQuoteMax {
			break
		}
		cut += w
	}
	return fmt.Sprintf("%q... (the first %d of %d bytes)", s[:cut], cut, len(s))
}

// notIndicator is the cause of skipping line s, which is neither an
// address nor a CIDR; a row of a CSV feed is named as such.
func notIndicator(s string) string {
	if strings.ContainsAny(s, ",;\t") {
		return fmt.Sprintf("%s is not an IP address or CIDR (a CSV row? the file takes one IP address or CIDR per line: take that column out of the feed)", quoteLine(s))
	}
	return fmt.Sprintf("%s is not an IP address or CIDR", quoteLine(s))
}

// notCIDR is the cause of skipping line s, which holds a "/" but is no
// CIDR: a prefix length above 32 for an IPv4 address or 128 for an IPv6
// one, or an IPv6 zone, is named with what to write instead; anything else
// gets notIndicator's cause.
func notCIDR(s string) string {
	a, bits, _ := strings.Cut(s, "/")
	addr, err := netip.ParseAddr(a)
	if err != nil {
		return notIndicator(s)
	}
	if b, z, ok := strings.Cut(bits, "%"); ok && addr.Zone() == "" { // fe80::/64%eth0
		if _, err := netip.ParsePrefix(a + "/" + b); err == nil {
			return fmt.Sprintf("%s: a CIDR takes no IPv6 zone (%%%s): write %s/%s", quoteLine(s), z, a, b)
		}
		return notIndicator(s)
	}
	if z := addr.Zone(); z != "" {
		if _, err := netip.ParsePrefix(addr.WithZone("").String() + "/" + bits); err == nil {
			return fmt.Sprintf("%s: a CIDR takes no IPv6 zone (%%%s): write %s/%s", quoteLine(s), z, addr.WithZone(""), bits)
		}
		return notIndicator(s)
	}
	most, family := 128, "IPv6"
	if addr.Is4() {
		most, family = 32, "IPv4"
	}
	if n, err := strconv.Atoi(bits); err == nil && n > most && strings.Trim(bits, "0123456789") == "" {
		return fmt.Sprintf("%s: prefix length %d is above %d, the most for an %s CIDR: write %d or less (%s/%d is the one address)",
			quoteLine(s), n, most, family, most, a, most)
	}
	return notIndicator(s)
}

// unmapBits is the number of leading bits an IPv4-mapped IPv6 prefix loses
// when it is written as IPv4.
func unmapBits(a netip.Addr) int {
	if a.Is4In6() {
		return 96
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// match returns the indicator entry that covers a: the address itself, or
// the longest prefix holding it.
func (s *indicators) match(a netip.Addr) (string, bool) {
	if s == nil {
		return "", false
	}
	if e, ok := s.addrs[a]; ok {
		return e, true
	}
	is4 := boolInt(a.Is4())
	for _, k := range s.lengths {
		if k&1 != is4 {
			continue
		}
		p, err := a.Prefix(k >> 1)
		if err != nil {
			continue
		}
		if e, ok := s.prefixes[p]; ok {
			return e, true
		}
	}
	return "", false
}

// len returns the number of indicators; 0 for a nil set.
func (s *indicators) len() int {
	if s == nil {
		return 0
	}
	return len(s.addrs) + len(s.prefixes)
}
