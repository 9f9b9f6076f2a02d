package agent

import (
	"bytes"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/internal/inputs"
	"github.com/gitlab-syslog/gitlab-syslog/internal/mapping"
	"github.com/gitlab-syslog/gitlab-syslog/internal/metrics"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// KubernetesSDID is the SD-ID of the STRUCTURED-DATA element that carries
// the Kubernetes metadata of a line read from a container log file, with
// the params Namespace, Pod, Container and ContainerID (each left out when
// unknown), when forward.sd_id is the default. It is a private SD-ID under
// the project's enterprise number, as forwarder.DefaultSDID.
const KubernetesSDID = "kubernetes@32473"

// KubernetesSDIDFor returns the SD-ID of the Kubernetes element that goes
// with the SD-ID sdID, as forwarder.MetaSDIDFor does for meta.*:
// "kubernetes" followed by the "@<enterprise number>" of sdID.
func KubernetesSDIDFor(sdID string) string {
	meta := forwarder.MetaSDIDFor(sdID)
	return "kubernetes" + meta[strings.IndexByte(meta, '@'):]
}

// unwrapper is a worker's state for a source whose format is not plain.
type unwrapper struct {
	dec     container.Decoder
	srcType parser.Type // the source's type; TypeUnknown when it has none
	appName string      // the source's app_name, for lines of srcType
	forward bool        // other_subcomponents: forward
	k8s     []forwarder.Element
	cut     bool // the line last decoded was cut to max_line_bytes when joined
	cutLen  int  // its length before the cut (container.Line.Len)
	// complete: the file is read as finished (--once): parts pending at
	// its end are sent raw because the run ends, not after a timeout.
	complete bool

	// What the worker did with the records, for the --once summary.
	parts   atomic.Uint64 // records that were parts of a longer line (CRI P, Docker partials)
	dropped atomic.Uint64 // lines dropped (see outDropped)
	cuts    atomic.Uint64 // joined lines cut to max_line_bytes
	longest atomic.Int64  // the longest of them, joined, in bytes (written by its worker only)
}

// newUnwrapper returns the unwrapper of a source following path, or nil for
// format plain.
func newUnwrapper(format container.Format, typ parser.Type, appName string, forward bool, path string, maxLine int, sdID string) *unwrapper {
	if format == container.Plain {
		return nil
	}
	return &unwrapper{dec: container.Decoder{Format: format, MaxLineBytes: maxLine}, srcType: typ, appName: appName, forward: forward,
		k8s: KubernetesElements(path, sdID)}
}

// KubernetesElements returns the STRUCTURED-DATA run adds to each line of
// the container log at path, under the SD-ID KubernetesSDIDFor(sdID): one
// element with the Namespace, Pod, Container and ContainerID the path
// names (container.ParsePath: the kubelet's /var/log/pods and
// /var/log/containers names, rotated copies too), those it names; nil when
// it names none.
func KubernetesElements(path, sdID string) []forwarder.Element {
	m := container.ParsePath(path)
	if m.IsZero() {
		return nil
	}
	var ps []parser.Field
	for _, f := range [...]struct{ n, v string }{{"Namespace", m.Namespace}, {"Pod", m.Pod}, {"Container", m.Container}, {"ContainerID", m.ContainerID}} {
		if f.v != "" {
			ps = append(ps, parser.Field{Name: f.n, Value: []byte(f.v)})
		}
	}
	return []forwarder.Element{{ID: KubernetesSDIDFor(sdID), Params: ps}}
}

// typeOf returns the parser type of a decoded record: its gitlab-logger
// subcomponent's, else TypeUnknown for stderr (GitLab's lines come on
// stdout, from gitlab-logger or ingress-nginx's access log; stderr carries
// the programs' own messages), else the source's.
func (u *unwrapper) typeOf(out *container.Line) parser.Type {
	return mapping.RecordType(out, u.srcType) // as check samples the lines
}

// lineOutcome says what encodeWrapped did with a line.
type lineOutcome uint8

const (
	outSent      lineOutcome = iota // a message was filled
	outSentRaw                      // a message was filled with the line raw (counted as unparsed)
	outPartial                      // a part of a line, kept for the next record
	outDropped                      // an other line, dropped
	outUnwrapRaw                    // the wrapper did not decode; the record is sent raw
	outBlank                        // the unwrapped line is blank: skipped, as blank lines are
)

// encodeWrapped decodes line i of tb and, unless it is a part or dropped,
// fills w.msg (and w.rec when it parsed). It returns the GitLab line (for
// the detection engine; the line dropped, for the first lines' sample)
// and what it did.
func (w *worker) encodeWrapped(tb *tailer.Batch, i int) ([]byte, lineOutcome, error) {
	u := w.uw
	out, st, derr := u.dec.DecodeCut(tb.Line(i), tb.IsCut(i))
	u.cut = out.Cut && !out.ReaderCut // the tailer counts and logs its own cuts
	u.cutLen = out.Len
	switch st {
	case container.Partial:
		return nil, outPartial, nil
	case container.Malformed:
		w.msg.FromLine(u.srcType, out.Text, &w.mp.Opts)
		w.addK8s()
		return nil, outUnwrapRaw, derr
	}
	if parser.Blank(out.Text) {
		return nil, outBlank, nil
	}
	if i == w.tailAt && w.tailWhy != nil { // the rest of a line whose first parts went raw, under their APP-NAME, whatever the source's type
		t, app := u.subType(w.tailSub)
		w.mp.Opts.AppName = app
		w.msg.FromLine(t, out.Text, &w.mp.Opts)
		w.addK8s()
		return nil, outUnwrapRaw, w.tailWhy
	}
	t := u.typeOf(&out)
	if t == parser.TypeUnknown {
		if !u.forward {
			return out.Text, outDropped, nil
		}
		w.mp.Opts.AppName = ""
		w.msg.FromLine(parser.TypeUnknown, out.Text, &w.mp.Opts)
		w.addK8s()
		return nil, outSentRaw, nil
	}
	w.mp.Opts.AppName = ""
	if t == u.srcType {
		w.mp.Opts.AppName = u.appName
	}
	w.mp.SetType(t)
	err := w.mp.Map(out.Text, tb.IsCut(i) || out.Cut, &w.rec, &w.msg)
	w.addK8s()
	if err != nil {
		return out.Text, outSentRaw, err
	}
	return out.Text, outSent, nil
}

// unwrapCounts are a batch's counts of unwrapped lines not sent as records.
type unwrapCounts struct {
	skipped    int // parts of lines and dropped lines: neither sent nor blank
	dropped    int
	unwrapErrs int
	cut        int // lines cut to max_line_bytes when their parts were joined
}

// add adds the counts to the source's metrics.
func (c *unwrapCounts) add(m *metrics.Source) {
	if c.dropped > 0 {
		m.LinesDropped.Add(float64(c.dropped))
	}
	if c.unwrapErrs > 0 {
		m.UnwrapErrors.Add(float64(c.unwrapErrs))
	}
	if c.cut > 0 {
		m.AddTruncated(uint64(c.cut))
	}
}

// unwrapLine is encode's step for line i of a source in a container
// format. When ok, w.msg is filled and line (the GitLab line) and perr
// (nil when it parsed into w.rec) go on as for a plain line;
// otherwise the line is done: a part, dropped (line is then the line
// dropped, for the first lines' sample), blank, or a wrapper that did not
// decode, which it appended to fb raw.
func (w *worker) unwrapLine(tb *tailer.Batch, i int, fb *forwarder.Batch, c *unwrapCounts) (line []byte, ok bool, perr error) {
	text, out, err := w.encodeWrapped(tb, i)
	if w.uw.cut && out != outPartial {
		c.cut++
		w.uw.cuts.Add(1)
		w.uw.noteLongest(w.uw.cutLen)
		if w.pl != nil {
			w.pl.reportCut(tb.Name, tb.Offsets[i], w.uw.dec.MaxLineBytes, w.uw.cutLen)
		}
	}
	switch out {
	case outBlank:
		return nil, false, nil
	case outPartial:
		c.skipped++
		w.uw.parts.Add(1)
		return nil, false, nil
	case outDropped:
		c.skipped++
		c.dropped++
		w.uw.dropped.Add(1)
		return text, false, nil
	case outUnwrapRaw:
		c.unwrapErrs++
		w.failed(tb.Name, tb.Offsets[i], err)
		fb.Append(w.enc, &w.msg)
		return nil, false, nil
	case outSentRaw:
		if err == nil {
			err = mapping.ErrNoParser
		}
	}
	return text, true, err
}

// errUnfinished: parts of a line whose last part never came.
var errUnfinished = errors.New("agent: the runtime's last part of the line never came (carry timeout); its parts forwarded raw")

// errLateTail: the last part of a line came after the carry timeout sent
// its first parts raw.
var errLateTail = errors.New("agent: the runtime's last part of a line came after the carry timeout sent its first parts raw; this rest of the line forwarded raw")

// errOlderTail: the first record of a first start's file ends a line whose
// first parts end the newest rotated copy, which a first start does not
// read (source.tailAfterOlder).
var errOlderTail = errors.New("agent: the file begins with the last part of a line whose first parts end its newest rotated copy, which this first start does not read; this rest of the line forwarded raw (the send command logged with the copies sends the first parts)")

// errUnfinishedAtEnd: parts of a line at the end of a file read as
// finished (--once).
var errUnfinishedAtEnd = errors.New("agent: the file ends in parts of a line whose last part is not written yet (run --once); its parts forwarded raw")

// flushCarry fills fb with the pending parts in carry, each stream's as one
// line sent raw, for a line whose end never came within the carry timeout
// (hold is where its first part begins, for the warning). The stdout parts
// go out under the APP-NAME of sub, the subcomponent of the gitlab-logger
// envelope they begin (source.tailSub), else the source's app name
// (subType); the stderr
// ones as a stderr line does (other_subcomponents: forward sends them raw, drop drops and counts
// them). Each line sent is counted as an unwrap error and a parse failure.
// The last part of each line sent or dropped, counted among the parts
// joined when it was read, is that line: it leaves that count, so that
// the lines read are the lines sent, blank, joined and dropped.
func (w *worker) flushCarry(fb *forwarder.Batch, carry *container.Carry, hold tailer.Mark, sub []byte) {
	fb.Reset()
	u := w.uw
	w.mp.Opts.Now = time.Now()
	var uc unwrapCounts
	if len(bytes.TrimSpace(carry.Stdout)) > 0 {
		t, app := u.subType(sub)
		w.mp.Opts.AppName = app
		w.msg.FromLine(t, w.clipCarry(carry.Stdout, &uc), &w.mp.Opts)
		w.addK8s()
		fb.Append(w.enc, &w.msg)
		uc.unwrapErrs++
	}
	if len(bytes.TrimSpace(carry.Stderr)) > 0 {
		if u.forward {
			w.mp.Opts.AppName = ""
			w.msg.FromLine(parser.TypeUnknown, w.clipCarry(carry.Stderr, &uc), &w.mp.Opts)
			w.addK8s()
			fb.Append(w.enc, &w.msg)
			uc.unwrapErrs++
		} else {
			uc.dropped++
			u.dropped.Add(1)
		}
	}
	if uc.unwrapErrs > 0 {
		w.pl.reportUnfinished(hold.Name, hold.Offset, u.complete, uc.cut > 0, u.dec.MaxLineBytes)
	}
	if n := uint64(uc.unwrapErrs + uc.dropped); n > 0 {
		u.parts.Add(-n) // see above
	}
	w.count(0, &uc)
}

// subType returns the type and app_name of a line of gitlab-logger
// subcomponent sub: the subcomponent's when it names a log of a type other
// than the source's, else the source's (for a nil sub too).
func (u *unwrapper) subType(sub []byte) (parser.Type, string) {
	if t := mapping.SubcomponentType(sub); sub != nil && t != parser.TypeUnknown && t != u.srcType {
		return t, ""
	}
	return u.srcType, u.appName
}

// clipCarry returns the parts p of a line whose last part never came, cut
// to max_line_bytes as a joined line is (the decoder keeps up to
// container.EnvelopeSlack bytes more of them), and counts a cut as
// unwrapLine does; the warning of the unfinished line reports it.
func (w *worker) clipCarry(p []byte, uc *unwrapCounts) []byte {
	u := w.uw
	if max := u.dec.MaxLineBytes; max > 0 && len(p) > max {
		u.noteLongest(len(p))
		p = p[:max]
		uc.cut++
		u.cuts.Add(1)
	}
	return p
}

// noteLongest records n, the length of a line cut to max_line_bytes, when
// it is the longest so far.
func (u *unwrapper) noteLongest(n int) {
	if int64(n) > u.longest.Load() {
		u.longest.Store(int64(n))
	}
}

// addK8s adds the Kubernetes element to w.msg.
func (w *worker) addK8s() {
	if w.uw.k8s != nil {
		w.msg.Elements = w.uw.k8s
	}
}

// errNotSent: the line is a part of a line, an other line, or a wrapper
// that did not decode; it has no record.
var errNotSent = errors.New("agent: line not sent as a record")

// parseAny parses line as the source's pipeline does: an input's spool
// line is mapped by the worker's relay (the GitLab line is the received
// message's MSG), and a line in a container format is unwrapped first
// (with the worker's decoder, so that parts are joined across calls). It
// returns the GitLab line, and nil when it parsed into w.rec.
func (w *worker) parseAny(line []byte) ([]byte, error) {
	if w.relay != nil {
		out, err := w.relay.Map(line, false, &w.rec, &w.msg)
		if out != inputs.Parsed {
			if err == nil { // another program's message, or dropped
				err = errNotSent
			}
			return nil, err
		}
		return w.msg.Msg, nil
	}
	if w.uw == nil {
		return line, w.parse(line)
	}
	out, st, _ := w.uw.dec.Decode(line)
	if st != container.Complete {
		return nil, errNotSent
	}
	t := w.uw.typeOf(&out)
	if t == parser.TypeUnknown {
		return nil, errNotSent
	}
	w.mp.SetType(t)
	return out.Text, w.parse(out.Text)
}
