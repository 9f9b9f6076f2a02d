package agent

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// DeliveredFile is the name of the journal of delivered alerts, in the
// engine's state directory (state_dir/detect): the alerts the collector
// acknowledged since the last state save, one a line: the alert_id, then,
// for an alert of a rule that suppresses, a space, the Unix ns (event
// time) until which its key is quiet, a space and the key in hex
// (detect.Alert.Quiet). After a crash, the alerts raised again (by the
// catch-up, or by the lines read again after the tailer's checkpoint) are
// dropped only when their id is in it (see detector.repeated), and the
// keys are quiet again (detect.Engine.Quiet), so that a key whose alert's
// lines cannot be read again (a file deleted since) does not alert again
// before its suppression ends.
const DeliveredFile = "_delivered.log"

// deliveredLog is the journal of delivered alerts (DeliveredFile). Its
// methods are safe for concurrent use: record runs on the forwarder's
// goroutine, reset under detector.mu after a state save. The file is
// opened by the first record after a reset and held until the next reset
// (the next state save: state_save_interval, a minute by default) or a
// failed write, rather than opened for each acknowledged batch; a
// read-only remount of the state directory's file system (a disk
// failing) succeeds once a save closed it.
type deliveredLog struct {
	path   string
	mu     sync.Mutex
	f      *os.File // open for appending since the first record after a reset; nil: closed
	failed bool     // the last write failed (logged when it began failing)
	// emptyFailed: the last empty failed (logged when it began failing).
	emptyFailed bool
}

// openDelivered returns the journal in dir (the engine's state
// directory) and the alert ids it holds: written since the last state
// save, by this run or one that crashed. ok is false when the ids cannot
// be trusted: the journal is absent (a state written before the journal
// existed, or lost) or malformed (logged, naming the file, line and
// cause); then the catch-up drops every alert it raises, as delivered.
// An absent journal is created empty, so that the next start finds it.
func openDelivered(dir string, log *slog.Logger) (j *deliveredLog, jr journaled, ok bool) {
	j = &deliveredLog{path: filepath.Join(dir, DeliveredFile)}
	b, err := readDelivered(j.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := j.reset(); err != nil {
			log.Warn("journal of delivered alerts not created; after a crash, the catch-up drops the alerts it raises again even when they were never sent", "file", j.path, "err", err)
		}
		return j, jr, false
	case err != nil:
		// One warning for the cause: writing and emptying it are
		// logged only once they work again (logChange).
		j.failed, j.emptyFailed = true, true
		log.Warn("journal of delivered alerts not read; the catch-up drops the alerts it raises again, as delivered, even those never sent, and the alerts delivered are not journaled until it can be written; make it a readable and writable file (remove it if it is not a regular file: the agent creates it)", "file", j.path, "err", err)
		return j, jr, false
	}
	jr, err = parseDelivered(b)
	if err != nil {
		log.Warn("journal of delivered alerts malformed, ignored; the catch-up drops the alerts it raises again, as delivered, even those never sent; it is emptied at the next state save",
			"file", j.path, "err", err)
		return j, journaled{}, false
	}
	return j, jr, true
}

// journaled is what a journal of delivered alerts holds: the alert ids,
// and the suppression the alerts set, in the order delivered.
type journaled struct {
	ids   map[string]struct{}
	quiet []quietKey
}

// quietKey is the suppression an alert set (detect.Alert.Quiet): its key
// is quiet until until (event time).
type quietKey struct {
	key   string
	until time.Time
}

// appendDelivered appends the journal line of alert a (see DeliveredFile)
// to b.
func appendDelivered(b []byte, a *detect.Alert) []byte {
	b = append(b, a.ID...)
	if k, until := a.Quiet(); k != "" {
		b = strconv.AppendInt(append(b, ' '), until.UnixNano(), 10)
		b = hex.AppendEncode(append(b, ' '), []byte(k))
	}
	return append(b, '\n')
}

// CheckDelivered returns what run would warn of at start about the
// journal of delivered alerts in dir (the engine's state directory): it
// cannot be read (a directory in its place, its permissions) or is
// malformed; nil when it is absent (run creates it) or sound. The error
// names the file, the cause and what to do.
func CheckDelivered(dir string) error {
	path := filepath.Join(dir, DeliveredFile)
	b, err := readDelivered(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("journal of delivered alerts not readable: %w; make it a readable and writable file (remove it if it is not a regular file: the agent creates it)", err)
	}
	if _, err := parseDelivered(b); err != nil {
		return fmt.Errorf("journal of delivered alerts %s malformed: %w; run ignores it and empties it at the next state save", path, err)
	}
	return nil
}

// readDelivered returns the contents of the journal at path, or an
// error naming it when it is not a regular file, which it does not open
// (a FIFO would block).
func readDelivered(path string) ([]byte, error) {
	if err := regularOrAbsent(path); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// parseDelivered reads a journal, one alert a line (see DeliveredFile).
// A last line without its newline is kept when it is whole (a full
// alert_id, and its suppression if any, parse), else left out: a write
// the process was killed in. A line that is not an alert_id (hex digits),
// optionally followed by its suppression, is an error naming the line.
func parseDelivered(b []byte) (journaled, error) {
	jr := journaled{ids: map[string]struct{}{}}
	for n := 1; len(b) > 0; n++ {
		line, rest, ended := bytes.Cut(b, []byte{'\n'})
		b = rest
		id, q, err := parseJournalLine(line)
		if !ended && (err != nil || len(id) != detect.AlertIDLen) {
			break // torn by a kill
		}
		if err != nil {
			return journaled{}, fmt.Errorf("line %d: %w", n, err)
		}
		jr.ids[string(id)] = struct{}{}
		if q.key != "" {
			jr.quiet = append(jr.quiet, q)
		}
	}
	return jr, nil
}

// parseJournalLine reads one journal line: its alert_id and, when the
// line has one, its suppression (else q is zero).
func parseJournalLine(line []byte) (id []byte, q quietKey, err error) {
	id, rest, quiet := bytes.Cut(line, []byte{' '})
	if !isAlertID(id) {
		return nil, q, fmt.Errorf("%.40q is not an alert_id (hex digits)", line)
	}
	if quiet {
		q, err = parseQuiet(rest)
	}
	return id, q, err
}

// parseQuiet reads the suppression part of a journal line: Unix ns, a
// space, the key in hex.
func parseQuiet(b []byte) (quietKey, error) {
	ns, key, ok := bytes.Cut(b, []byte{' '})
	until, err := strconv.ParseInt(string(ns), 10, 64)
	if !ok || err != nil {
		return quietKey{}, fmt.Errorf("%.40q after the alert_id is not Unix ns and a key", b)
	}
	k, err := hex.AppendDecode(nil, key)
	if err != nil || len(k) == 0 {
		return quietKey{}, fmt.Errorf("suppression key %.40q is not hex digits", key)
	}
	return quietKey{key: string(k), until: time.Unix(0, until).UTC()}, nil
}

// isAlertID reports whether b is made of 1 to 64 lower-case hex digits.
func isAlertID(b []byte) bool {
	if len(b) == 0 || len(b) > 64 {
		return false
	}
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// record appends ids (journal lines, appendDelivered) to the
// journal, in one write without fsync: it outlives a kill of the
// process, which is the crash the catch-up covers (a crash of the host
// loses the page cache; then the catch-up may send an alert again, with
// its alert_id). A failure is logged when writes begin failing, and
// their recovery when one succeeds again.
func (j *deliveredLog) record(ids []byte, log *slog.Logger) {
	if j == nil || len(ids) == 0 {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	var err error
	if j.f == nil {
		j.f, err = openJournal(j.path, os.O_APPEND)
	}
	if err == nil {
		if _, err = j.f.Write(ids); err != nil {
			j.closeLocked() // opened again by the next record
		}
	}
	j.logChange(log, &j.failed, err,
		"journal of delivered alerts not written; after a crash, the catch-up may send again alerts delivered since the last state save (same alert_id); logged again when it is written again",
		"journal of delivered alerts written again")
}

// empty is reset after a state save (detector.save). A failure is logged
// when emptying begins failing, and its recovery when it succeeds again:
// a journal not emptied keeps ids of alerts the saved state covers, which
// is harmless (they were delivered) but grows while records succeed.
func (j *deliveredLog) empty(log *slog.Logger) {
	if j == nil {
		return
	}
	err := j.reset()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.logChange(log, &j.emptyFailed, err,
		"journal of delivered alerts not emptied after a state save; the ids it keeps are of delivered alerts (harmless) and it grows while alerts are recorded; make it a writable file (remove it if it is not a regular file); logged again when it is emptied again",
		"journal of delivered alerts emptied again")
}

// logChange logs warn, with the file and err, when err begins a run of
// failures (*failing was false), and recovered when a success (err nil)
// ends one, keeping *failing up to date; j.mu is held.
func (j *deliveredLog) logChange(log *slog.Logger, failing *bool, err error, warn, recovered string) {
	switch {
	case err != nil && !*failing:
		*failing = true
		log.Warn(warn, "file", j.path, "err", err)
	case err == nil && *failing:
		*failing = false
		log.Info(recovered, "file", j.path)
	}
}

// reset empties the journal: the state just saved covers every alert
// delivered so far (detector.save).
func (j *deliveredLog) reset() error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.closeLocked()
	f, err := openJournal(j.path, os.O_TRUNC)
	if err != nil {
		return err
	}
	return f.Close()
}

// openJournal opens the journal at path for writing, with flag (O_APPEND
// or O_TRUNC), creating it; a path that is not a regular file is an
// error, not opened (a FIFO would block until read).
func openJournal(path string, flag int) (*os.File, error) {
	if err := regularOrAbsent(path); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|flag, 0o600)
}

// regularOrAbsent returns an error naming path when it exists and is not
// a regular file (its mode); nil otherwise.
func regularOrAbsent(path string) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (mode %s)", path, fi.Mode())
	}
	return nil
}

// closeLocked closes the file record holds open, if any; j.mu is held.
// The ids written stay in the page cache (record does not sync), so a
// failed close loses nothing a kill would keep.
func (j *deliveredLog) closeLocked() {
	if j.f != nil {
		j.f.Close()
		j.f = nil
	}
}
