package agent

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/internal/mapping"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// sampleLines is how many first lines of a source's file typeSample
// looks at, at most.
const sampleLines = 20

// typeSample tells a source whose type does not match its file's lines:
// when none of the first lines it reads (those of the first batch, up to
// sampleLines) parses as the source's type and most of them look like
// lines of another type (parser.Detect), it logs one warning naming that
// type; when none looks like a GitLab log's, one warning asking whether
// the file is one. Every such line goes out raw under the wrong APP-NAME,
// unseen by the rules, and the per-line warnings blame each line, not the
// type. Before that, for a source of format cri or docker, it judges the
// first lines as read (see judgeFormat).
// Safe for concurrent use by the source's workers.
type typeSample struct {
	typ    parser.Type      // the source's; TypeUnknown: typed per line, only the format judged
	format container.Format // the source's: CRI or Docker, its lines are records to unwrap
	app    string           // the source's APP-NAME
	log    *slog.Logger
	// spool: the file is the streaming receiver's spool, whose lines are
	// what was POSTed to the receiver (judgeSpool), not a GitLab log a
	// source follows.
	spool bool
	done  atomic.Bool // judged
	mu    sync.Mutex  // serialises judge
}

// lineSample is what a worker saw of the first lines of a batch, up to
// sampleLines: how many, how many parsed, and what the others look like,
// a GitLab log's line of another type or a container runtime's record
// (wrapped: by container.Sniff, CRI and Docker).
type lineSample struct {
	mapping.TypeTally
	wrapped [container.Auto]int
	// For a source of format CRI or Docker: its first lines as read,
	// before unwrapping, by the format they look like (container.Sniff).
	asRead  [container.Auto]int
	asReadN int
	// plain counts those of them that are plain lines (not records), by
	// the GitLab type they look like, to name the type a source without
	// one needs when its format is wrong.
	plain mapping.DroppedTally
	// dropped counts the lines of a source without type dropped as not
	// wrapped by gitlab-logger, by the GitLab type they look like, as
	// check counts them.
	dropped mapping.DroppedTally
}

// addDropped records a line dropped as not wrapped by gitlab-logger,
// while the sample has room.
func (ls *lineSample) addDropped(line []byte) {
	if ls.dropped.N < sampleLines {
		ls.dropped.Add(line)
	}
}

// addRecord records a line of a container-format source as read, before
// it is unwrapped, while the sample has room.
func (ls *lineSample) addRecord(line []byte) {
	if ls.asReadN < sampleLines {
		f := container.Sniff(line)
		ls.asRead[f]++
		ls.asReadN++
		if f == container.Plain {
			ls.plain.Add(line)
		}
	}
}

// wants reports whether the lines of the next batch are to be sampled.
func (ts *typeSample) wants() bool {
	return ts != nil && !ts.done.Load()
}

// add records a line that parsed as type as (ok) or did not, while the
// sample has room; of a line that parsed, the other type it is marked as
// (mapping.Marked).
func (ls *lineSample) add(line []byte, ok bool, as parser.Type) {
	if ls.N >= sampleLines {
		return
	}
	var looks parser.Type
	if ok {
		looks = mapping.Marked(line, as)
	} else {
		looks = parser.Detect(line)
		ls.wrapped[container.Sniff(line)]++
	}
	ls.Add(ok, looks)
}

// records returns the container format (CRI or Docker) of more than half
// the lines sampled, or Plain.
func (ls *lineSample) records() container.Format {
	for _, f := range []container.Format{container.CRI, container.Docker} {
		if 2*ls.wrapped[f] > ls.N {
			return f
		}
	}
	return container.Plain
}

// judge decides, once, on the sample ls of the first batch of file: it
// warns when no line parsed and more than half look like lines of one
// other type, or none looks like a line of any GitLab log.
func (ts *typeSample) judge(file string, ls *lineSample) {
	if ls.N == 0 && ls.asReadN == 0 {
		return
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.done.Load() {
		return
	}
	if ts.judgeFormat(file, ls) {
		return
	}
	if ts.typ == parser.TypeUnknown {
		ts.done.Store(true) // typed per line: only the format is judged, and what it drops
		ts.judgeDropped(file, ls)
		return
	}
	if ls.N == 0 {
		return
	}
	ts.done.Store(true)
	other, k := ls.Mismatch(ts.typ)
	if ts.spool {
		ts.judgeSpool(file, ls, other, k)
		return
	}
	if other == parser.TypeUnknown {
		if f := ls.records(); ls.NoGitLab() && f != container.Plain {
			ts.log.Warn("the first lines read from the file are "+recordsName(f)+" container log records, not GitLab's own lines: is the source's format right?",
				"file", file, "type", ts.typ.String(), "first_lines", ls.N, "format", "plain",
				"hint", "give the source format: "+f.String()+" (or auto), so that its records are unwrapped; until then they go out raw under APP-NAME "+ts.app+", without parsed columns, unseen by the rules")
		} else if ls.NoGitLab() {
			ts.log.Warn("the first lines read from the file parse as no GitLab log: is it a GitLab log?",
				"file", file, "type", ts.typ.String(), "first_lines", ls.N,
				"hint", "a source follows one of GitLab's logs (audit, application or auth JSON, application text, an NGINX access log); the file's lines go out raw under APP-NAME "+ts.app+", without parsed columns, unseen by the rules")
		}
		return
	}
	if ls.MarkedMostly(other) {
		ts.log.Warn("the first lines read from the file are "+other.String()+" lines, not "+ts.typ.String()+" lines (they carry "+mapping.Marks(other)+"): is the source's type right?",
			"file", file, "type", ts.typ.String(), "looks_like", other.String(), "first_lines", ls.N, "of_that_type", k,
			"hint", "give the file a source of type: "+other.String()+"; until then the "+ts.typ.String()+" parser takes its lines, and they go out as "+ts.typ.String()+" lines under APP-NAME "+ts.app+", unseen by the rules that read "+other.String()+" lines")
		return
	}
	ts.log.Warn("the first lines read from the file look like "+other.String()+" lines, not "+ts.typ.String()+": is the source's type right?",
		"file", file, "type", ts.typ.String(), "looks_like", other.String(), "first_lines", ls.N, "of_that_type", k,
		"hint", "give the file a source of type: "+other.String()+"; until then its lines go out raw under APP-NAME "+ts.app+", without parsed columns, unseen by the rules")
}

// judgeSpool warns, once, about the first events of the streaming
// receiver's spool, file, as judge does about a source's first lines, in
// words about what was POSTed to the receiver: no source is configured
// for the spool, and its lines are what GitLab's streaming destination,
// or something else that has a token, posted to the receiver's URL.
// other and k are ls.Mismatch's.
func (ts *typeSample) judgeSpool(file string, ls *lineSample, other parser.Type, k int) {
	const who = "the receiver spools every JSON object POSTed to its URL with a valid token, and GitLab's streaming destination posts audit events (with author_id, entity_id and entity_type): "
	raw := "; such events go out raw under APP-NAME " + ts.app + ", without parsed columns, unseen by the rules"
	switch {
	case other != parser.TypeUnknown:
		ts.log.Warn("the first events POSTed to the streaming receiver look like GitLab "+other.String()+" log lines, not audit events: what posts them?",
			"spool", file, "looks_like", other.String(), "first_events", ls.N, "of_that_type", k,
			"hint", who+"these come from something else posting to the URL (a log shipper, a script, a test by hand), "+
				"not from the streaming destination configured in GitLab; follow that log with a source of type: "+other.String()+" instead"+raw)
	case ls.NoGitLab():
		ts.log.Warn("the first events POSTed to the streaming receiver parse as no GitLab audit event: what posts them?",
			"spool", file, "first_events", ls.N,
			"hint", who+"these come from something else posting to the URL (a test by hand, a script, a health check given the token) "+
				"or from a destination that is not GitLab's audit event streaming; check what posts to the receiver"+raw)
	}
}

// judgeFormat warns, once, when the source's format is CRI or Docker, no
// line of ls as read is of that format and more than half are of one
// other (container.Sniff: plain lines, or the other runtime's records),
// as check does; it reports whether it did (the sample is then judged).
func (ts *typeSample) judgeFormat(file string, ls *lineSample) bool {
	if ts.format != container.CRI && ts.format != container.Docker || ls.asReadN == 0 {
		return false
	}
	if ls.asRead[ts.format] > 0 {
		return false
	}
	got := container.Plain
	for f := range ls.asRead {
		if ls.asRead[f] > ls.asRead[got] {
			got = container.Format(f)
		}
	}
	if 2*ls.asRead[got] <= ls.asReadN {
		return false
	}
	ts.done.Store(true)
	what, unwrap := "plain lines", "parsed"
	if got != container.Plain {
		what, unwrap = recordsName(got)+" container log records", "unwrapped"
	}
	under := ""
	if ts.app != "" {
		under = " under APP-NAME " + ts.app
	}
	give := "format: " + got.String() + " (or auto)"
	if got == container.Plain && ts.typ == parser.TypeUnknown {
		give = ls.plain.PlainFix(ls.asReadN)
	}
	ts.log.Warn("the first lines read from the file are "+what+", not "+recordsName(ts.format)+" records: is the source's format right?",
		"file", file, "format", ts.format.String(), "first_lines", ls.asReadN,
		"hint", "give the source "+give+", so that its lines are "+unwrap+"; until then they go out raw"+under+", without parsed columns, unseen by the rules")
	return true
}

// recordsName names the records of a container runtime's format f.
func recordsName(f container.Format) string {
	return map[container.Format]string{container.CRI: "CRI", container.Docker: "Docker json-file"}[f]
}

// newTypeSample returns the typeSample of a source of type typ and
// container format (plain, cri, docker or auto), with APP-NAME app,
// logging to log; nil for an untyped one of format plain (which config
// refuses). An untyped one has its format judged (cri, docker) and the
// lines it drops (judgeDropped).
func newTypeSample(typ parser.Type, format container.Format, app string, log *slog.Logger) *typeSample {
	if typ == parser.TypeUnknown && format == container.Plain {
		return nil
	}
	if app == "" && typ != parser.TypeUnknown {
		app = config.DefaultAppName(typ.String())
	}
	return &typeSample{typ: typ, format: format, app: app, log: log}
}

// judgeDropped warns, once, when more than half of the first lines of a
// source without type, as read, were GitLab lines of one type not
// wrapped by gitlab-logger: such a source types its lines by their
// envelope's subcomponent and drops the others (other_subcomponents:
// drop), so a container log of bare GitLab lines sends nothing.
func (ts *typeSample) judgeDropped(file string, ls *lineSample) {
	if t, n := ls.dropped.Bare(ls.asReadN); t != parser.TypeUnknown {
		ts.log.Warn("the first lines read from the file are "+t.String()+" lines not wrapped by gitlab-logger: the source, without type, drops them",
			"file", file, "first_lines", ls.asReadN, "of_that_type", n,
			"hint", "a source without type takes the type of each line from gitlab-logger's subcomponent; give this file's source type: "+t.String()+" so that its lines are parsed and sent (they are counted in lines_dropped_total until then)")
	}
}

// markSpool makes the type sample of s, the streaming receiver's spool's
// source, judge its first lines as what was POSTed to the receiver
// (judgeSpool). Call it before s starts.
func (s *source) markSpool() {
	for _, w := range s.workers {
		if w.pl != nil && w.pl.sample != nil {
			w.pl.sample.spool = true
		}
	}
}
