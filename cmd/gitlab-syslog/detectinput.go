package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/sniff"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// detectInput is one positional argument of detect: a file (or "-") and
// how its lines are typed.
type detectInput struct {
	path   string
	arg    string      // the argument path was given as ("audit:PATH")
	typ    parser.Type // TypeUnknown: detect per line
	stream bool        // Audit Event Streaming bodies (the receiver's spool)
	// f is the regular file of path, opened when the inputs were checked
	// (checkDetectInputs), which readEvents reads and closes; nil for
	// standard input and files that are opened when read.
	f *os.File
	// wholeLines: readEvents leaves out the last line of f when it has no
	// newline yet (see wholeLinesEnd), as with a kept --state-dir.
	wholeLines bool
}

// label names the input in messages: its path, or "standard input".
func (in detectInput) label() string {
	if in.path == "-" {
		return "standard input"
	}
	return in.path
}

// rotated matches the rotation suffixes logrotate and svlogd add after a
// log's name: .1, .2.gz, -20240101, -20240101.gz, .gz, and the .bz2, .xz
// and .zst of other compresscmds.
var rotated = regexp.MustCompile(`^(.*?\.log)(\.\d+|-\d{8,10})?(\.gz|\.bz2|\.xz|\.zst)?$`)

// parseDetectInput reads "TYPE:PATH" or "PATH". TYPE is "stream" or a log
// type name parser.ParseType accepts (audit, application, access, and any
// type the parser adds), in any case; a prefix that is neither is part of
// the file name. A bare PATH is typed by
// its base name as the agent's default sources are (audit_json.log,
// application_json.log, application.log, gitlab_access.log, each with
// rotation suffixes); other names are detected line by line.
func parseDetectInput(arg string) (detectInput, error) {
	if t, p, ok := strings.Cut(arg, ":"); ok && p != "" {
		t = strings.ToLower(t) // any case, as the config's type
		if t == "stream" {
			return detectInput{path: p, arg: arg, typ: parser.TypeAudit, stream: true}, nil
		}
		if typ, err := parser.ParseType(t); err == nil {
			return detectInput{path: p, arg: arg, typ: typ}, nil
		}
	}
	if arg == "" {
		return detectInput{}, errors.New("empty input name")
	}
	return detectInput{path: arg, arg: arg, typ: typeByName(arg)}, nil
}

// typeByName returns the log type of an Omnibus log file name, or
// TypeUnknown.
func typeByName(path string) parser.Type {
	m := rotated.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		return parser.TypeUnknown
	}
	switch m[1] {
	case "audit_json.log":
		return parser.TypeAudit
	case "application_json.log", "application.log":
		return parser.TypeApplication
	case "gitlab_access.log":
		return parser.TypeAccess
	case "auth_json.log", "auth.log":
		return parser.TypeAuth
	}
	return parser.TypeUnknown
}

// eventBatch is what an input reader hands to the merge.
type eventBatch struct {
	events []*detect.Event
	err    error
}

// inputCounts are one input's line counters.
type inputCounts struct {
	lines, wanted int
	blank         int // blank lines, skipped (not in lines)
	// unparsed counts the lines that did not parse and keeps the first
	// (cut lines are not among them).
	unparsed unparsedLines
	cut      cutLines // lines cut to max_line_bytes, not parsed (not in unparsed)
	// untimed counts the events a rule wanted that have no usable time
	// (not evaluated: see readEvents); untimedAt is the line of the
	// first, untimedCause why it has none.
	untimed      int
	untimedAt    int
	untimedCause string
	// like counts the lines of an input typed by its TYPE: prefix or
	// name that parser.Detect takes for another type.
	like lookAlike
	// alerts counts the lines that are gitlab-syslog's own alerts.
	alerts alertLines
	// warning is about data read to its end but ignored (trailing bytes
	// after a .gz's last member, or an empty .gz: asReadWarning), nil for
	// none.
	warning *readWarning
	// source is the Source of the input's events (its inputFileID, or
	// "stream" for stream bodies), by which the summary finds the input
	// of a detect.Jump.
	source string
	// head is the input's first copyCheckBytes bytes of lines, each
	// followed by a newline: warnCopiedInputs compares them.
	head []byte
	// repeats counts the events given to the engine that it never takes
	// for duplicates (detect.RepeatsKept), by type: of two copies of a
	// log, they count twice (warnCopiedInputs).
	repeats map[parser.Type]int
	// failed says the input could not be read to its end (its error is
	// detect's): warnEmptyInputs does not call it empty.
	failed bool
	// outliers counts the lines dated far ahead of the lines on both
	// sides of them (see aheadHold); outlierAt is the first one's line
	// number, outlierBy how far ahead of the line before it it was, or
	// with outlierFirst (it was the input's first line with a time) of
	// the line after it, and outlierNext how far ahead of the line after
	// it.
	outliers     int
	outlierAt    int
	outlierBy    time.Duration
	outlierNext  time.Duration
	outlierFirst bool
	// folded counts the events of lines an earlier run with the
	// --state-dir folded, skipped (readEvents).
	folded int
	// fresh counts the lines that parsed past those an earlier run with
	// the --state-dir folded (all of them without one): a kept state
	// records them as folded by this run's rules, wanted or not.
	fresh int
	// check is the input's last line read (its number and lineSum), of
	// the file checkID (its identity, also its source), for
	// detect.Engine.Check; readAll: the input was read to its end.
	check   detect.FileCheck
	checkID string
	readAll bool
	// unended is the length (bytes) of the input's last line, left out
	// since it had no newline yet (see wholeLinesEnd); 0 when none was.
	unended int64
	// logs has bit t set for each parser.Type t of the lines of the input
	// that parsed (warnSplitLogs).
	logs uint8
	// otherAt is the line of the check an earlier run with the
	// --state-dir saved for a file with the input's first line, at which
	// the input differs from that file (foldedDiffers): it was read
	// whole. 0 when it did not differ, or was not checked.
	otherAt int64
}

// mistyped reports whether the input was read as the wrong type: none of
// its lines parsed, or most of them look like another log's (the JSON
// parsers take one another's lines: lookAlike). A kept --state-dir does
// not record it as read, so that a run with the right TYPE reads it.
func (c *inputCounts) mistyped() bool {
	return c.logs == 0 || c.like.majority(c.lines-c.cut.n)
}

// copyCheckBytes is how many bytes two inputs must have in common, from
// their first line on, for warnCopiedInputs to take them for copies of
// one log (or one the other grown); an input shorter than that must be
// the start of the other. Four kilobytes are tens of lines, more than two
// nodes' logs share.
const copyCheckBytes = 4096

// keepHead adds line to c.head while it is shorter than copyCheckBytes.
func (c *inputCounts) keepHead(line []byte) {
	if room := copyCheckBytes - len(c.head); room > 0 {
		c.head = append(c.head, line[:min(len(line), room)]...)
		if len(c.head) < copyCheckBytes {
			c.head = append(c.head, '\n')
		}
	}
}

// readEvents reads in, parses every line not longer than maxLine bytes
// (longer ones are counted as cut and skipped), and sends the lines the engine
// wants as Events, in batches, on out, which it closes at the end. A read
// error is sent as the last batch. A wanted line without a usable time
// (its time missing or unreadable) is counted as untimed and not sent:
// the rules decide in event time, and could place it in no window, day
// or session (a per-event rule's alert would have no time). Events of a
// file or of standard input carry its identity (inputFileID) and their
// line number, and have it as their source, so that with --state-dir a
// second run over the same file, under its name or renamed or compressed
// by logrotate or piped to standard input, does not fold again the lines
// the first one folded, as the agent after a restart; the last line it
// read is recorded (inputCounts.check), for giveChecks to save with its
// position, so that the next run reads whole another file with the same
// first line (foldedDiffers).
// Among the events go marks of the lines no rule wants
// (detect.NewProgress: see newest below), which the merge gives to
// Engine.Progress.
func readEvents(ctx context.Context, in detectInput, stdin io.Reader, maxLine int, eng *detect.Engine,
	counts *inputCounts, out chan<- eventBatch) {
	defer close(out)
	parsers := make(map[parser.Type]parser.Parser) // by type, created on first use
	var rec parser.Record
	batch := make([]*detect.Event, 0, 256)
	source, origin := in.path, detect.OriginFile
	if in.stream {
		source, origin = "stream", detect.OriginStream
	}
	fileID, first := "", true
	// newest is the newest time of the input's lines so far; markAt and
	// markLine, the newest line no rule wants that is newer than every
	// line before it and not yet marked: a mark (detect.NewProgress) goes
	// before the next wanted event, and after the last line, so that
	// lines no rule wants move the watermark as they do in run. One mark
	// stands for all the lines between two wanted events (the merge
	// gives every other input's event older than it before it either
	// way), but for a line more than the AheadGap ahead of the newest before
	// it: the line before it is marked first.
	var newest, markAt time.Time
	markLine, late := 0, eng.AheadGap()
	var markType parser.Type // the log of the line marked
	var held aheadHold
	judged := false // the input's first line with a time was held (see aheadHold)
	// folded is the line through which an earlier run with the
	// --state-dir folded this input (detect.Engine.FoldedThrough): its
	// outliers were reported then, and the engine skips their events.
	folded := int64(-1)
	push := func(ev *detect.Event) error {
		batch = append(batch, ev)
		if len(batch) < cap(batch) {
			return nil
		}
		select {
		case out <- eventBatch{events: batch}:
		case <-ctx.Done():
			return ctx.Err()
		}
		batch = make([]*detect.Event, 0, 256)
		return nil
	}
	mark := func() error {
		if markAt.IsZero() {
			return nil
		}
		ev := detect.NewProgress(source, fileID, int64(markLine), markAt)
		ev.Type = markType
		markAt = time.Time{}
		return push(ev)
	}
	// unwanted moves newest and the mark to a line no rule wants, of
	// time t at line n, of log typ.
	unwanted := func(t time.Time, n int, typ parser.Type) error {
		if !t.After(newest) {
			return nil
		}
		jump := !newest.IsZero() && t.Sub(newest) > late
		if jump {
			// The line before it is marked, then this one, so that the
			// engine names this one as the step (Stats.Jump), not a
			// later line of the step.
			if err := mark(); err != nil {
				return err
			}
		}
		newest, markAt, markLine, markType = t, t, n, typ
		if jump {
			return mark()
		}
		return nil
	}
	// wanted gives the engine ev, the event of a line a rule wants.
	wanted := func(ev *detect.Event) error {
		if err := mark(); err != nil {
			return err
		}
		if ev.Time.After(newest) {
			newest = ev.Time
		}
		return push(ev)
	}
	// settle decides the held line by the time t of the line after it:
	// an outlier when t goes back by more than the AheadGap and carries
	// on from the line before it (it reaches the engine marked, or for a
	// line no rule wants, not at all), else a step in time.
	settle := func(t time.Time) error {
		h, ok := held.take()
		if !ok {
			return nil
		}
		if h.outlier(t, newest, late) {
			if int64(h.n) > folded {
				if counts.outliers++; counts.outliers == 1 {
					counts.outlierAt, counts.outlierBy, counts.outlierFirst = h.n, h.t.Sub(newest), h.first
					if counts.outlierNext = h.t.Sub(t); counts.outlierFirst {
						counts.outlierBy = counts.outlierNext
					}
				}
			}
			if h.ev == nil {
				return nil
			}
			h.ev.Outlier = true
			return push(h.ev) // after the mark of the lines before it: it sorts as the line before it
		}
		if h.ev == nil {
			return unwanted(h.t, h.n, h.typ)
		}
		return wanted(h.ev)
	}
	src := stdin
	if in.f != nil {
		id, at, err := foldedDiffers(ctx, in, maxLine, eng)
		if err != nil {
			in.f.Close() // readLines would have closed it
			if !errors.Is(err, context.Canceled) {
				counts.failed = true
				out <- eventBatch{err: inputError(in, err)}
			}
			return
		}
		if at > 0 {
			// Another file than the one folded under its identity: none
			// of its lines is skipped as folded (the events of the lines
			// it shares with that file are deduplicated, see README).
			eng.Replaced(id, id)
			counts.otherAt = at
		}
		h := &heldFile{f: in.f}
		if in.wholeLines {
			h.end, counts.unended, h.cut = wholeLinesEnd(in.f, time.Now())
		}
		src = h
	}
	var lastN int   // the number of the last line read that is not blank
	var last []byte // that line, for the check saved with the input's position
	err := readLines(ctx, in.path, src, true, maxLine, func(label string, n int, line []byte, long int) error {
		if long == 0 && parser.Blank(line) {
			counts.blank++ // skipped, as run and send skip them
			return nil
		}
		counts.lines++
		if !in.stream && long == 0 {
			// A cut line is not the check: a later run with a higher
			// --max-line-bytes reads it whole, and would take the file
			// for another one. The position saved is through the last
			// line read whole (giveChecks), so that run reads it again.
			lastN, last = n, append(last[:0], line...)
		}
		counts.keepHead(line)
		counts.alerts.add(n, line)
		if first && len(bytes.Trim(line, "\x00 \t\r")) > 0 {
			first = false
			if !in.stream {
				// The file is its source by its identity, not its
				// name: after logrotate, audit_json.log.1 (or .2.gz) is
				// the audit_json.log an earlier run folded; the same
				// lines piped to standard input are too. A line of NUL
				// bytes (a crash's padding, the same in many files) is
				// no line of the file's own: the next one is taken.
				fileID = inputFileID(line)
				source = fileID
				folded = eng.FoldedThrough(source, fileID)
			}
			counts.source = source
		}
		if long > 0 { // a cut line is never parsed into columns, as in the agent
			counts.cut.add(n, long)
			return nil
		}
		t := in.typ
		if t == parser.TypeUnknown {
			t = parser.Detect(line)
		} else if in.stream && fileAuditLine(line) {
			counts.like.addFileLine() // parses as a stream body: see fileAuditLine
		} else {
			counts.like.add(t, parser.Detect(line)) // a stream body looks like an audit line
		}
		p, ok := parsers[t]
		if !ok {
			p = parser.New(t) // nil for TypeUnknown
			parsers[t] = p
		}
		if p == nil {
			counts.unparsed.addUnknown(n, line, "TYPE:FILE")
			return nil
		}
		if err := p.Parse(line, &rec); err != nil {
			if in.stream { // parsed as an audit line, but named as what it is
				err = fmt.Errorf("not an Audit Event Streaming body: %s", strings.TrimPrefix(err.Error(), "audit: "))
			}
			counts.unparsed.add(n, line, err)
			return nil
		}
		counts.logs |= 1 << rec.Type
		if int64(n) > folded {
			counts.fresh++
		}
		if !rec.Time.IsZero() {
			if err := settle(rec.Time); err != nil {
				return err
			}
		}
		want := eng.WantStateless(t, &rec) // inputs are read at once: see WantStateless
		if want && int64(n) <= folded {
			// Folded by an earlier run: skipped here rather than by the
			// engine, which, given the lines of this input and of a copy
			// of it read with it, would see the line numbers of its file
			// go back and read both whole (see detect.Engine.Replaced).
			// The line's time still moves the input on, as a line no rule
			// wants.
			counts.folded++
			want = false
		}
		if want && rec.Time.IsZero() {
			if counts.untimed++; counts.untimed == 1 {
				counts.untimedAt, counts.untimedCause = n, detect.UntimedCause(line)
			}
			return nil
		}
		var ev *detect.Event
		if want {
			counts.wanted++
			ev = detect.NewEvent(&rec, line, source, origin)
			ev.FileID, ev.Offset = fileID, int64(n) // the line number stands for the offset
			if detect.RepeatsKept(ev) {
				counts.addRepeat(t)
			}
		}
		if first := !judged; !rec.Time.IsZero() && (first || !newest.IsZero() && rec.Time.Sub(newest) > late) {
			judged = true
			held.hold(rec.Time, n, rec.Type, ev, first) // judged by the next line's time
			return nil
		}
		if ev == nil {
			return unwanted(rec.Time, n, rec.Type)
		}
		return wanted(ev)
	}, nil)
	if ctx.Err() == nil {
		// The last line's step is confirmed by nothing after it, nor
		// refuted: it stands. Only the context's errors, which the send
		// below meets too.
		if settle(time.Time{}) == nil {
			mark()
		}
	}
	if fileID != "" && lastN > 0 {
		// Given to the engine once the merge ended (see giveChecks).
		counts.check = detect.FileCheck{Line: int64(lastN), Sum: lineSum(last)}
		counts.checkID = fileID
		counts.readAll = ctx.Err() == nil && (err == nil || asReadWarning(err) != nil)
	}
	if len(batch) > 0 {
		select {
		case out <- eventBatch{events: batch}:
		case <-ctx.Done():
		}
	}
	if w := asReadWarning(err); w != nil {
		counts.warning, err = w, nil // every line was read
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		counts.failed = true
		out <- eventBatch{err: inputError(in, err)}
	}
}

// sameFileNote is the note that in, the same file as first (given before
// it), is left out. When in has a type (a TYPE: prefix, or the type of
// the file's name) that is not first's, it says which type the file is
// read as: first's, as a file is read once, as one type.
func sameFileNote(in, first detectInput) string {
	what, as := "the same file as "+first.path+", given before", " as "
	if in.path == first.path {
		what, as = "given twice", ", first as "
	}
	if it, ft := inputTypeName(in), inputTypeName(first); it != ft && (in.stream || in.typ != parser.TypeUnknown) {
		return fmt.Sprintf("detect: %s is %s%s%s; read once, as %s (a file is read as one type: give it once, with the TYPE: it holds)\n", in.path, what, as, ft, ft)
	}
	return fmt.Sprintf("detect: %s is %s; read once\n", in.path, what)
}

// argNamesFile reports whether in, given as TYPE:FILE, is also the name
// of a file (not a directory) that exists.
func (in detectInput) argNamesFile() bool {
	if in.arg == in.path {
		return false
	}
	fi, err := os.Stat(in.arg)
	return err == nil && !fi.IsDir()
}

// typedNameNote is the note that in, given as TYPE:FILE, is read as FILE
// although a file named TYPE:FILE exists too, and how to name that one;
// "" when there is none.
func typedNameNote(in detectInput) string {
	if !in.argNamesFile() {
		return ""
	}
	return fmt.Sprintf("detect: %s is read as TYPE:FILE, FILE %s; a file named %s exists too: to read that one, write ./%s\n", in.arg, in.path, in.arg, in.arg)
}

// inputTypeName names the type in is read as: "stream", a log type, or
// "any type (line by line)".
func inputTypeName(in detectInput) string {
	switch {
	case in.stream:
		return "stream"
	case in.typ == parser.TypeUnknown:
		return "any type (line by line)"
	}
	return in.typ.String()
}

// inputFileID returns the identity of a file whose first line is first
// (its first line that is not blank or NUL padding): a hash of that line,
// as the tailer fingerprints a file by its first bytes. A file appended to
// keeps it; a file written anew under the same name gets another, so none
// of its lines is skipped. Standard input has
// one as a file has (the lines of a file piped to it are the file's);
// stream inputs (whose events are deduplicated by EventID) have none.
func inputFileID(first []byte) string {
	return "line1:" + lineSum(first)
}

// lineSum returns the hash of a line by which detect knows a file
// (inputFileID) and checks it (detect.FileCheck): the first 16 bytes of
// its SHA-256, in hex.
func lineSum(line []byte) string {
	h := sha256.Sum256(line)
	return hex.EncodeToString(h[:16])
}

// unendedWait is how long a file whose last line has no newline must
// have been left unchanged for detect, with a kept --state-dir, to read
// that line as it is: GitLab writes a line and its newline in one write,
// so a line without one in a file written to within unendedWait is one a
// write has not finished, and one in a file older than that was cut (a
// crash) or written by hand, and will not end.
const unendedWait = time.Minute

// wholeLinesEnd returns how much of f, a regular file of plain lines (not
// compressed), a run that saves what it folded reads: its size when it is
// opened (lines written while it is read are left for a later run),
// without its last line when that has no newline and f was written to
// within unendedWait of now (GitLab is writing it; a later run reads it
// once whole), then also that line's length (unended bytes); and true.
// It returns false, and the file is read to its end, for a file that is
// empty, not regular, compressed (the end of its data is no line's), or
// cannot be read here (readLines reports it). It reads the file with
// ReadAt: its offset is left as it was.
func wholeLinesEnd(f *os.File, now time.Time) (end, unended int64, ok bool) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
		return 0, 0, false
	}
	size := fi.Size()
	magic := make([]byte, len(sniff.MagicXZ))
	n, _ := f.ReadAt(magic, 0)
	if sniff.Compression(magic[:n]) != "" {
		return 0, 0, false
	}
	if now.Sub(fi.ModTime()) >= unendedWait {
		return size, 0, true
	}
	buf := make([]byte, 64<<10)
	for at := size; at > 0; {
		from := max(0, at-int64(len(buf)))
		b := buf[:at-from]
		if _, err := f.ReadAt(b, from); err != nil {
			return 0, 0, false
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			end = from + int64(i) + 1
			return end, size - end, true
		}
		at = from
	}
	return 0, size, true // one line, without its newline yet
}

// errChecked stops foldedDiffers's reading once it has what it reads for.
var errChecked = errors.New("checked")

// foldedDiffers reads the regular file of in (in.f) from its start, when
// an earlier run with the --state-dir saved a check with its positions
// (detect.Engine.FoldedChecks), and seeks it back to its start. It finds
// the file's identity as readEvents does (inputFileID of its first line
// that is not blank or NUL padding), and when the engine restored a
// position in a file of that identity with a check (FoldedCheck), reads
// on to the check's line. It returns that identity and the check's line
// when the file differs there from the file folded (that line hashes
// otherwise, or the file ends before it): it is another file with the
// same first line, whose lines must not be skipped as folded. It returns
// 0 when the file is the one folded (or one it was appended to), when
// there is no check to compare, and for a file that is not regular,
// which cannot be read twice. Only an error of the seek back, or of the
// context, is returned: a read error is the reading's to report.
func foldedDiffers(ctx context.Context, in detectInput, maxLine int, eng *detect.Engine) (string, int64, error) {
	if in.stream || !eng.FoldedChecks() {
		return "", 0, nil
	}
	if fi, err := in.f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "", 0, nil
	}
	var (
		id      string
		check   detect.FileCheck
		differs bool
	)
	pctx := context.WithValue(ctx, progressKey{}, (*inputProgress)(nil)) // the bar counts the reading, not this
	err := readLines(pctx, in.path, &heldFile{f: in.f, keep: true}, true, maxLine, func(_ string, n int, line []byte, long int) error {
		if long == 0 && parser.Blank(line) {
			return nil
		}
		if id == "" {
			if len(bytes.Trim(line, "\x00 \t\r")) == 0 {
				return nil
			}
			id = inputFileID(line)
			c, ok := eng.FoldedCheck(id, id)
			if !ok {
				return errChecked
			}
			check = c
		}
		if int64(n) < check.Line {
			return nil
		}
		differs = int64(n) > check.Line || lineSum(line) != check.Sum
		return errChecked
	}, nil)
	if cerr := ctx.Err(); cerr != nil {
		return "", 0, cerr
	}
	if !errors.Is(err, errChecked) && id != "" && check.Line > 0 {
		differs = true // the file ends (or cannot be read) before the check's line
	}
	if _, serr := in.f.Seek(0, io.SeekStart); serr != nil {
		return "", 0, fmt.Errorf("read again from its start: %w", serr)
	}
	if !differs {
		return "", 0, nil
	}
	return id, check.Line, nil
}

// checkDetectInputs checks every input with openChecked before any is
// read, so that an input that cannot be read stops detect before it
// prints an alert or a summary: every such input is named, in argument
// order, joined, and nothing is written on w. It returns the inputs to
// read, each regular file open (detectInput.f: detect reads them all at
// once to merge them, and a file that could be opened when checked is
// not refused later for want of descriptors); those that name a file
// given before them (the same file by device
// and inode, from the stat of the check: overlapping globs, ./ or a link)
// are left out, saying so on w for each, as read twice a file's lines
// would count twice in every window. More inputs than the open-file limit
// leaves room for (fdReserve), or running out of file descriptors (EMFILE,
// ENFILE), is one error, tooManyInputs's. Standard input is kept; when "-" is
// an input and every file passed, standard input is opened last (openStdin:
// its first bytes are waited for and its content checked as a file's) and
// returned as the reader to give readEvents; otherwise stdin is returned.
// On error it returns no input and leaves no file open.
func checkDetectInputs(ctx context.Context, inputs []detectInput, stdin io.Reader, w io.Writer) (kept []detectInput, _ io.Reader, err error) {
	var errs []error
	var notes []string
	var seen sameFiles[detectInput]
	defer func() {
		if err != nil {
			closeInputs(kept)
			kept = nil
		}
	}()
	if l := openFileLimit(); l > 0 && uint64(len(inputs))+fdReserve > l {
		return nil, nil, tooManyInputs(len(inputs), fmt.Errorf("with about %d files of its own, detect needs more than the %d files this process may open (ulimit -n)", fdReserve, l))
	}
	for _, in := range inputs {
		f, fi, err := openChecked(in.path)
		if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
			limit := ""
			if l := openFileLimit(); l > 0 {
				limit = fmt.Sprintf(" (this process may open %d files: ulimit -n)", l)
			}
			return kept, nil, tooManyInputs(len(inputs), fmt.Errorf("only %d could be opened before %w%s", len(kept), err, limit))
		}
		if err != nil {
			errs = append(errs, inputError(in, err))
			continue
		}
		if first, again := seen.add(fi, in); again {
			notes = append(notes, sameFileNote(in, first))
			if f != nil {
				f.Close()
			}
			continue
		}
		if note := typedNameNote(in); note != "" {
			notes = append(notes, note)
		}
		if in.stream && f != nil {
			if err := fileLinesAsStream(in, f); err != nil {
				errs = append(errs, err)
				f.Close()
				continue
			}
		}
		in.f = f
		kept = append(kept, in)
	}
	if len(errs) > 0 {
		return kept, nil, errors.Join(errs...)
	}
	if slices.ContainsFunc(kept, func(in detectInput) bool { return in.path == "-" }) {
		o, err := openStdin(ctx, stdin)
		if err != nil {
			return kept, nil, inputError(detectInput{path: "-"}, err)
		}
		stdin = o
	}
	writeNotes(w, notes)
	return kept, stdin, nil
}

// writeNotes writes notes to w, each once, in order: a note given k > 1
// times (a file named many times, by a glob and a list) says so, "given
// k+1 times" for a path given again and again, "(k times)" for others.
func writeNotes(w io.Writer, notes []string) {
	count := map[string]int{}
	for _, n := range notes {
		count[n]++
	}
	for _, n := range notes {
		k := count[n]
		if k == 0 {
			continue // written
		}
		count[n] = 0
		switch {
		case k == 1:
		case strings.Contains(n, " is given twice"):
			n = strings.Replace(n, " is given twice", fmt.Sprintf(" is given %d times", k+1), 1)
		default:
			n = strings.TrimSuffix(n, "\n") + fmt.Sprintf(" (%d times)\n", k)
		}
		io.WriteString(w, n)
	}
}

// closeInputs closes the files checkDetectInputs left open in inputs.
func closeInputs(inputs []detectInput) {
	for _, in := range inputs {
		if in.f != nil {
			in.f.Close()
		}
	}
}

// fdReserve is how many file descriptors detect counts on besides its
// inputs': the standard streams, the Go runtime's, the lock and state
// files of its state directory, a GeoIP database and an indicator file.
const fdReserve = 32

// tooManyInputs is the error of n inputs that cannot all be open at once,
// because of cause (the limit, or an EMFILE or ENFILE): detect reads
// every input at the same time, to merge their events in time order, so
// each holds a file descriptor; it says what to do.
func tooManyInputs(n int, cause error) error {
	return fmt.Errorf("%d inputs: %w; detect reads every input at the same time, to merge them in time order, and each holds a file open: raise the limit to %d or more (ulimit -n %d; above the hard limit, ulimit -Hn, as root), or hunt in several runs, oldest files first, with one --state-dir so that the rules' windows span them",
		n, cause, n+2*fdReserve, n+2*fdReserve)
}

// inputError names in's path in err when err does not already (an open
// error names it, a read error of a line does), and, for a file that does
// not exist whose name starts with "WORD:", says that WORD is not an input
// type (most likely a mistyped TYPE:FILE), or, for "TYPE:" alone, that it
// names no file, or, for TYPE:TYPE:FILE, that TYPE was given twice, or,
// for TYPE:PATTERN whose pattern matches files, that the shell expands no
// pattern after TYPE: and how to give them, or, when in was given as
// TYPE:PATH and a file of that whole name exists, how to name that file;
// other errors get inputHint's.
func inputError(in detectInput, err error) error {
	path := in.path
	if errors.Is(err, fs.ErrNotExist) && in.argNamesFile() {
		if !strings.Contains(err.Error(), path) {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return fmt.Errorf("%w (%s was taken as TYPE:FILE, FILE %s; a file named %s exists: to read it, write ./%s)", err, in.arg, path, in.arg, in.arg)
	}
	if errors.Is(err, fs.ErrNotExist) && in.arg != path && strings.ContainsAny(path, "*?[") {
		if m, _ := filepath.Glob(path); len(m) > 0 {
			if !strings.Contains(err.Error(), path) {
				err = fmt.Errorf("%s: %w", path, err)
			}
			t, _, _ := strings.Cut(in.arg, ":")
			return fmt.Errorf("%w (the shell does not expand a pattern after TYPE:, as %s is one word to it, and %s matches %d %s: give them each with their TYPE, e.g. $(for f in %s; do printf '%s:%%s ' \"$f\"; done), or by name alone, which gives GitLab's logs their type)",
				err, in.arg, path, len(m), plural(len(m), "file", "files"), path, t)
		}
	}
	label := path
	if path == "-" {
		label = "stdin" // as readLines names it
	}
	if !strings.Contains(err.Error(), label) {
		err = fmt.Errorf("%s: %w", path, err)
	}
	t, rest, ok := strings.Cut(path, ":")
	if !ok || t == "" || strings.ContainsRune(t, '/') || !errors.Is(err, fs.ErrNotExist) {
		return inputHint(path, err)
	}
	lt := strings.ToLower(t)
	_, perr := parser.ParseType(lt)
	isType := perr == nil || lt == "stream"
	switch {
	case isType && rest == "":
		return fmt.Errorf("%w (%q names no file: give TYPE:FILE, e.g. audit:/var/log/gitlab/gitlab-rails/audit_json.log)", err, path)
	case isType && in.arg != path:
		return fmt.Errorf("%w (%s gives TYPE twice: give it once, %s:%s)", err, in.arg, t, rest)
	}
	return fmt.Errorf("%w (%q is not an input type: TYPE:FILE takes audit, application, access, auth or stream%s)", err, t,
		config.DidYouMean(t, []string{"audit", "application", "access", "auth", "stream"}))
}

// mergeKey is the time an event sorts by: its time, or for an event
// without one, marked an outlier by its reader (see aheadHold), or dated
// after futureAt (more than detect.MaxFuture after the wall clock: a clock
// glitch on the GitLab host, a forged line, which the engine keeps from
// the windowed rules), the time of the event before it in the same input,
// so that it does not hold back the lines after it in its input until
// every other input is read, making them late.
func mergeKey(ev *detect.Event, prev, futureAt time.Time) time.Time {
	if ev.Time.IsZero() || ev.Outlier || ev.Time.After(futureAt) {
		return prev
	}
	return ev.Time
}

// addRepeat counts an event of type t that the engine never takes for a
// duplicate (detect.RepeatsKept).
func (c *inputCounts) addRepeat(t parser.Type) {
	if c.repeats == nil {
		c.repeats = make(map[parser.Type]int)
	}
	c.repeats[t]++
}

// aheadHold is the line readEvents holds back because it is dated more than
// the AheadGap after the newest line before it, or is the input's first
// line with a time: a step in time (or a first line in order), which the
// next line confirms by not going back, or an outlier (one line in another
// time zone, or from a clock that stepped and came back: the next line
// carries on from the line before it), which would move the watermark and
// make every line after it late. One line is held at a time: of two lines
// in a row dated far ahead, the first is confirmed by the second.
type aheadHold struct {
	on    bool
	first bool          // the input's first line with a time
	t     time.Time     // the line's time
	n     int           // its line number
	typ   parser.Type   // its log
	ev    *detect.Event // its event when a rule wants it, else nil
}

// hold holds the line n of time t of log typ (and event ev, or nil), the
// input's first with a time when first.
func (h *aheadHold) hold(t time.Time, n int, typ parser.Type, ev *detect.Event, first bool) {
	*h = aheadHold{on: true, first: first, t: t, n: n, typ: typ, ev: ev}
}

// take returns the line held and true, and holds none; false when none is.
func (h *aheadHold) take() (aheadHold, bool) {
	if !h.on {
		return aheadHold{}, false // every line with a time asks: most find none
	}
	x := *h
	*h = aheadHold{}
	return x, true
}

// outlier reports whether h, the line held after lines whose newest time
// is before, is an outlier by the time next of the line after it (zero:
// none yet, at the end): next goes back by more than late from it, and is
// not more than late before the line before it, as the line after one
// misdated line carries on from the line before it; for the input's first
// line with a time, next goes back by more than detect.FirstOutlierGap. Lines out
// of order otherwise (a log of lines from many times) are steps, as
// without a hold.
func (h aheadHold) outlier(next, before time.Time, late time.Duration) bool {
	switch {
	case next.IsZero():
		return false
	case h.first:
		return h.t.Sub(next) > max(late, detect.FirstOutlierGap)
	}
	return h.t.Sub(next) > late && !next.Before(before.Add(-late))
}

// fileLinesAsStream returns an error when in, given as stream: and opened
// as f (a regular file), holds lines of audit_json.log (fileAuditLine):
// most of its lines that are not padding (paddingLine) within its first
// 64 KiB (decompressed) are. The audit parser reads them as stream bodies, but an
// event is known by its id when streamed and by its place when read from
// a file, so with a kept --state-dir the file's alerts would come again
// when it is later given as audit: (fresh-user trial 237). f is read with
// ReadAt: its offset is left as it was.
func fileLinesAsStream(in detectInput, f *os.File) error {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	r, release, err := decompress(bufio.NewReaderSize(io.NewSectionReader(f, 0, fi.Size()), 4096), in.path, true)
	if err != nil {
		return nil // checked when opened
	}
	defer release()
	head, _ := io.ReadAll(io.LimitReader(r, 64<<10))
	var lines, fileLines int
	for line := range bytes.Lines(head) {
		if paddingLine(line) {
			continue
		}
		lines++
		if fileAuditLine(line) {
			fileLines++
		}
	}
	if fileLines == 0 || 2*fileLines <= lines {
		return nil
	}
	return fmt.Errorf("%s: given as stream:, for Audit Event Streaming bodies, but %d of its first %d lines are GitLab's audit_json.log lines (they begin {\"severity\":): give audit:%s (its stream bodies, if any, apart as stream:)", in.label(), fileLines, lines, in.path)
}

// paddingLine reports whether line holds nothing but white space, NUL
// bytes (a crash's padding) and UTF-8 byte order marks: no line of the
// log's, as the parsers skip them.
func paddingLine(line []byte) bool { return len(trimLead(line, "\x00 \t\r\n")) == 0 }
