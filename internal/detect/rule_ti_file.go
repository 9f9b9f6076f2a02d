package detect

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// tiFile is one reading of the indicator file.
type tiFile struct {
	stamp    fileStamp
	set      *indicators
	bad      []badLine // the first lines skipped; line 0: the error that stopped the reading
	nbad     int
	unusable *tiUnusable // no UTF-8 text (UTF-16, gzip); set is nil then
}

// errPipeRead is the cause of a named pipe given as ti_file that gave no
// data: nothing wrote to it, or what was written was read already.
var errPipeRead = errors.New("a named pipe that gave no data (nothing writes to it, or its data was read already: run and check read ti_file more than once, at start and whenever it changes); write the indicators to a regular file")

// readTIFile reads and parses the indicator file path, taking its stamp
// from the descriptor it reads. The error (an *os.PathError, naming the
// file) says the file cannot be opened or read, or is a named pipe that
// gave no data (errPipeRead: its open does not wait for a writer).
func readTIFile(path string) (*tiFile, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err // "stat FILE: cause", as check has always said it
	}
	fd, err := openTIFile(path, st.Mode())
	if err != nil {
		return nil, err
	}
	defer fd.Close()
	fi, err := fd.Stat()
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(fd)
	if err != nil {
		return nil, err // *os.PathError: "read FILE: cause"
	}
	if len(b) == 0 && st.Mode()&fs.ModeNamedPipe != 0 {
		return nil, &os.PathError{Op: "read", Path: path, Err: errPipeRead}
	}
	f := &tiFile{stamp: stampOf(fi)}
	if f.unusable = tiFileFormat(b, path); f.unusable == nil {
		f.set, f.bad, f.nbad = parseIndicators(b)
	}
	return f, nil
}

// malformed returns why f must not replace the indicators a running rule
// holds, or "": it is no UTF-8 text (UTF-16, gzip), it could not be read
// to its end (a line over 1 MiB), or it has lines but none of them is an
// indicator (a CSV feed, an HTML error page saved by a feed job). A file
// with indicators and some bad lines is taken with its indicators (the bad
// lines are logged). A file with no indicator and no bad line (0 bytes,
// only comments and blank lines) is empty: see update.
func (f *tiFile) malformed() string {
	switch {
	case f.unusable != nil:
		return fmt.Sprintf("it is %s: %s", f.unusable.Is, f.unusable.Fix)
	case f.nbad > 0 && f.bad[len(f.bad)-1].line == 0:
		return "it could not be read to its end: " + f.bad[len(f.bad)-1].msg
	case f.set.len() == 0 && f.nbad > 0:
		return fmt.Sprintf("none of its lines is an IP address or CIDR (%d skipped; line %d: %s)", f.nbad, f.bad[0].line, f.bad[0].msg)
	}
	return ""
}

// empty reports whether f lists no indicator and skipped no line: 0 bytes,
// or only comments and blank lines.
func (f *tiFile) empty() bool { return f.unusable == nil && f.set.len() == 0 && f.nbad == 0 }

// errTIEmpty is the fault of an indicator file that became empty while the
// rule held indicators.
var errTIEmpty = errors.New("it lists no IP address or CIDR (empty, or only comments and blank lines)")

// tiFault is why the running rule cannot use its indicator file now.
type tiFault struct {
	err     error
	missing bool // the file cannot be looked at or read
	empty   bool // the file lists no indicator (tiFile.empty); else it holds nothing usable
	logged  bool
}

// update reads the indicator file and takes its indicators (take). When
// the file cannot be read or is malformed, or is empty (tiFile.empty)
// while emptyIsFault is set (the rule holds indicators, or is built for a
// running agent and has not yet taken those of the rule it replaces:
// keepData), the indicators in use stay and the fault is recorded: a feed
// job that truncates the file and then writes it must not leave the rule
// blind when a look at the file falls in between. The fault is logged now
// when log is set, else at the next look at the file (maybeReload) or by
// keepData. It reports whether the file was taken.
func (r *tiRule) update(log, emptyIsFault bool) bool {
	f, err := readTIFile(r.path)
	var why string
	if err == nil {
		why = f.malformed()
	}
	switch {
	case err != nil:
		r.setFault(&tiFault{err: err, missing: true})
	case why != "":
		r.seen = f.stamp // not read again until it changes
		r.setFault(&tiFault{err: errors.New(why)})
	case emptyIsFault && f.empty():
		r.seen = f.stamp
		r.setFault(&tiFault{err: errTIEmpty, empty: true})
	default:
		r.take(f)
		return true
	}
	if log {
		r.logFault()
	}
	return false
}

// holding reports whether the rule holds indicators: an empty file is then
// a fault, not the list to take.
func (r *tiRule) holding() bool { return r.set.Load().len() > 0 }

// setFault records f, unless it is the fault already recorded (a file
// still missing, the same content still malformed, still empty), which is
// logged once.
func (r *tiRule) setFault(f *tiFault) {
	if old := r.fault; old != nil && old.missing == f.missing && old.empty == f.empty && (f.missing || old.err.Error() == f.err.Error()) {
		return
	}
	r.fault = f
}

// TIReadHint says how to let a user read a ti_file the user may not
// (TIFileDenied); TIDirDeniedHint how to let the user reach one a directory
// keeps it from (TIDirDenied).
const (
	TIReadHint      = "chmod o+r on the file, or a group of that user's with chgrp and chmod g+r; its directories need x for that user too"
	TIDirDeniedHint = "a directory on its path does not let that user in: chmod o+x on it, or a group of that user's with chgrp and chmod g+x; the file needs r for that user too"
)

// A TIFault is why this process cannot read a ti_file (TIFaultOf).
type TIFault int

// The TIFaults.
const (
	TINoFault    TIFault = iota // it can be read, or the error is not about its path
	TIMissing                   // it does not exist
	TIIsDir                     // it is a directory
	TIDirDenied                 // a directory on its path does not let this process in
	TIFileDenied                // this process may not read it
)

// TIFaultOf returns why this process cannot read the ti_file at path,
// from a stat and an open of it; TINoFault when it can (its content may
// still be wrong) or the error is another (I/O).
func TIFaultOf(path string) TIFault {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return TIMissing
	case errors.Is(err, fs.ErrPermission):
		return TIDirDenied
	case err != nil:
		return TINoFault
	case fi.IsDir():
		return TIIsDir
	}
	f, err := openTIFile(path, fi.Mode()) // a named pipe's open does not wait for a writer
	if err == nil {
		f.Close()
		return TINoFault
	}
	if errors.Is(err, fs.ErrPermission) {
		return TIFileDenied
	}
	return TINoFault
}

// tiMeanwhileHint says how to find the alerts of the lines read while
// the rule had no indicators, which are not matched again (run --once
// included: its checkpoints pass them).
const tiMeanwhileHint = "the lines read meanwhile are not matched again: to find their alerts, run gitlab-syslog detect --param ti_file=FILE over them"

// tiOffHint says how to really turn the rule off, which an empty or
// missing file does not do in a running agent.
const tiOffHint = "to run without the rule, set enabled: false under detections.rules.sentinel.ti_malicious_ip and send SIGHUP"

// logFault logs the recorded fault, once: one error naming the file, the
// cause, the indicators kept (or that the rule runs with none, at start)
// and, when they were read from another file (a SIGHUP changed ti_file),
// that file (indicators_from), and what to do, turning the rule off
// (enabled: false) included. An empty file while the rule holds no indicator is no
// fault: it is taken, with the warning take logs.
func (r *tiRule) logFault() {
	f := r.fault
	if f == nil || f.logged || r.pending {
		return
	}
	f.logged = true
	n := r.set.Load().len()
	keeps := "keeps the indicators it had"
	if n == 0 {
		keeps = "runs with no indicators"
	}
	attrs := []any{"file", r.path, "indicators", n}
	if n > 0 && r.from != "" && r.from != r.path {
		keeps = "keeps the indicators it had, read from " + r.from + ","
		attrs = append(attrs, "indicators_from", r.from)
	}
	attrs = append(attrs, "err", f.err)
	switch {
	case f.empty && n == 0:
		r.fault = nil
		r.log.Warn("threat-intelligence file lists no IP address or CIDR: sentinel.ti_malicious_ip matches nothing",
			"file", r.path, "skipped", 0, "hint", tiWarnHint+"; "+tiOffHint)
	case f.empty:
		r.log.Error("threat-intelligence file became empty; sentinel.ti_malicious_ip "+strings.TrimSuffix(keeps, ",")+": a running agent takes an empty list as a fault (a feed job caught between truncating and writing the file), not as an order to match nothing",
			append(attrs, "hint", "write the indicators again (feed jobs: write a temporary file in the same directory and rename it over ti_file); it is read again within a few seconds of a change, with no SIGHUP needed; "+tiOffHint)...)
	case f.missing && errors.Is(f.err, fs.ErrPermission):
		how := TIReadHint
		if TIFaultOf(r.path) == TIDirDenied {
			how = TIDirDeniedHint
		}
		r.log.Error("threat-intelligence file cannot be read; sentinel.ti_malicious_ip "+keeps+" until it can",
			append(attrs, "hint", "let the user the agent runs as read it ("+how+"); it is read again within a few seconds of a change, with no SIGHUP needed; "+tiMeanwhileHint+"; "+tiOffHint)...)
	case f.missing:
		r.log.Error("threat-intelligence file cannot be read; sentinel.ti_malicious_ip "+keeps+" until it can",
			append(attrs, "hint", "restore the file (or set ti_file to where the feed writes it and send SIGHUP); it is read again within a few seconds of its return, with no SIGHUP needed; "+tiMeanwhileHint+"; "+tiOffHint)...)
	default:
		r.log.Error("threat-intelligence file holds nothing usable; sentinel.ti_malicious_ip "+keeps+" until the file is fixed",
			append(attrs, "hint", "write one IP address or CIDR per line (# starts a comment); the file is read again within a few seconds of a change, with no SIGHUP needed; "+tiOffHint)...)
	}
}

// maybeReload looks at the indicator file at most every tiCheckEvery
// (wall clock) and reads it again when it is not the file last read:
// another device and inode, or another change time, modification time or
// size (fileStamp), so that a file replaced by a rename or rewritten with
// its old modification time and size (cp -p) is read too. While the file
// cannot be read, holds nothing usable or became empty, the indicators in
// use stay; that is logged once, until the file can be used again. A
// pipe is never read again.
func (r *tiRule) maybeReload() {
	now := r.now()
	if now.Sub(r.checked) < tiCheckEvery {
		return
	}
	r.checked = now
	fi, err := os.Stat(r.path)
	switch {
	case err != nil:
		r.setFault(&tiFault{err: err, missing: true})
		r.logFault()
	case fi.Mode()&(fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice) != 0:
		// A pipe (a FIFO, or bash's <(cmd)) is read once, when the rule
		// is built: its data is gone, and opening it again would wait
		// for a writer that never comes (fresh-user trial 242).
	case stampOf(fi) != r.seen || r.fault != nil && r.fault.missing:
		r.update(true, r.holding())
	default:
		r.logFault() // found while building the engine (Env.Running)
	}
}

// dataFault implements dataFaulter: the recorded fault, if any, else
// an indicator list taken empty (errNoIndicator).
func (r *tiRule) dataFault() (DataFault, bool) {
	n := r.set.Load().len()
	switch {
	case r.fault != nil:
		return DataFault{File: r.path, Err: r.fault.err, Kept: n}, true
	case n == 0:
		return DataFault{File: r.path, Err: errNoIndicator}, true
	}
	return DataFault{}, false
}

// errNoIndicator is the DataFault of an indicator file that lists none:
// taken, not a fault of the file, but the rule matches nothing.
var errNoIndicator = errors.New("it lists no IP address or CIDR (empty, or only comments and blank lines)")

// keepData implements dataKeeper: a rule built in a running agent whose
// file could not be used takes the indicators of prev, the same rule of
// the engine it replaces, and logs the fault.
func (r *tiRule) keepData(prev Rule) {
	r.pending = false
	if r.fault == nil {
		return
	}
	if p, ok := prev.(*tiRule); ok && p != nil && !(r.fault.empty && !p.holding()) { // an empty file over none is taken
		r.set.Store(p.set.Load())
		r.bad, r.nbad, r.unusable, r.modified = p.bad, p.nbad, p.unusable, p.modified
		if r.from = p.path; p.from != "" {
			r.from = p.from // still those of an earlier file
		}
	}
	r.logFault()
}
