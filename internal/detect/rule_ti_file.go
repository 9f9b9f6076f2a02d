package detect

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// tiFile is one reading of the indicator file.
type tiFile struct {
	stamp    fileStamp
	set      *indicators
	bad      []badLine // the first lines skipped; line 0: the error that stopped the reading
	nbad     int
	unusable *tiUnusable // no UTF-8 text (UTF-16, gzip); set is nil then
}

// readTIFile reads and parses the indicator file path, taking its stamp
// from the descriptor it reads. The error (an *os.PathError, naming the
// file) says the file cannot be opened or read.
func readTIFile(path string) (*tiFile, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err // "stat FILE: cause", as check has always said it
	}
	fd, err := os.Open(path)
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
// with nothing but comments and blank lines is an empty list and is taken
// as one; a file with indicators and some bad lines is taken with its
// indicators (the bad lines are logged).
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

// tiFault is why the running rule cannot use its indicator file now.
type tiFault struct {
	err     error
	missing bool // the file cannot be looked at or read; else it holds nothing usable
	logged  bool
}

// update reads the indicator file and takes its indicators (take). When
// the file cannot be read or is malformed, the indicators in use stay and
// the fault is recorded; it is logged now when log is set, else at the
// next look at the file (maybeReload) or by keepData. It reports whether
// the file was taken.
func (r *tiRule) update(log bool) bool {
	f, err := readTIFile(r.path)
	switch {
	case err != nil:
		r.setFault(&tiFault{err: err, missing: true})
	case f.malformed() != "":
		r.seen = f.stamp // not read again until it changes
		r.setFault(&tiFault{err: errors.New(f.malformed())})
	default:
		r.take(f)
		return true
	}
	if log {
		r.logFault()
	}
	return false
}

// setFault records f, unless it is the fault already recorded (a file
// still missing, the same content still malformed), which is logged once.
func (r *tiRule) setFault(f *tiFault) {
	if old := r.fault; old != nil && old.missing == f.missing && (f.missing || old.err.Error() == f.err.Error()) {
		return
	}
	r.fault = f
}

// logFault logs the recorded fault, once: one error naming the file, the
// cause, the indicators kept and what to do.
func (r *tiRule) logFault() {
	f := r.fault
	if f == nil || f.logged {
		return
	}
	f.logged = true
	n := r.set.Load().len()
	if f.missing {
		r.log.Error("threat-intelligence file cannot be read; sentinel.ti_malicious_ip keeps the indicators it had until the file can be read again",
			"file", r.path, "indicators", n, "err", f.err,
			"hint", "restore the file (or set ti_file to where the feed writes it and send SIGHUP); it is read again within a few seconds of its return, with no SIGHUP needed")
		return
	}
	r.log.Error("threat-intelligence file holds nothing usable; sentinel.ti_malicious_ip keeps the indicators it had until the file is fixed",
		"file", r.path, "indicators", n, "err", f.err,
		"hint", "write one IP address or CIDR per line (# starts a comment); the file is read again within a few seconds of a change, with no SIGHUP needed")
}

// maybeReload looks at the indicator file at most every tiCheckEvery
// (wall clock) and reads it again when it is not the file last read:
// another device and inode, or another change time, modification time or
// size (fileStamp), so that a file replaced by a rename or rewritten with
// its old modification time and size (cp -p) is read too. While the file
// cannot be read or holds nothing usable, the indicators in use stay; that
// is logged once, until the file can be used again.
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
	case stampOf(fi) != r.seen || r.fault != nil && r.fault.missing:
		r.update(true)
	default:
		r.logFault() // found while building the engine (Env.Running)
	}
}

// keepData implements dataKeeper: a rule built in a running agent whose
// file could not be used takes the indicators of prev, the same rule of
// the engine it replaces, and logs the fault.
func (r *tiRule) keepData(prev Rule) {
	if r.fault == nil {
		return
	}
	if p, ok := prev.(*tiRule); ok && p != nil {
		r.set.Store(p.set.Load())
		r.bad, r.nbad, r.unusable = p.bad, p.nbad, p.unusable
	}
	r.logFault()
}
