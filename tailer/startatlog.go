package tailer

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// warnLostCheckpoint logs that ck matches neither the file at the path
// nor a rotated copy: what may not have been sent, where the copies were
// looked for, what start_at does now and how to send the lines missed.
// Whether lines were written to the file after the checkpoint offset
// cannot be known once it is gone (often none were: the kubelet removes a
// copy read to its end), so the warning says "if any", as the one for a
// checkpoint's file gone after a rename rotation does. atPath says
// whether a file is at the path now; one that appears later is read whole
// (readAppeared). waited says that the path's wait record shows it had no
// file since the checkpoint: the file there now is read whole, after the
// copies made since.
func (t *Tailer) warnLostCheckpoint(ck *checkpoint.Position, atPath, waited bool) {
	holds := "no rotated copy holds it"
	unreadable := t.unreadableCopies()
	if len(unreadable) > 0 {
		holds = "no rotated copy that could be read holds it (a rotated copy that could not be read may: unreadable_copies, damaged or cut short? check them with gzip -t)"
	}
	msg := "tailer: the file the checkpoint points into is no longer at the path and " + holds + ": " +
		"lines written to it after the checkpoint offset, if any, may not have been sent (those delivered since the last checkpoint save, up to checkpoint_interval before a stop or crash, were; send_missed sends them again too); "
	switch {
	case waited:
		msg += "the path had no file when the agent last waited for it: its rotated copies written since the checkpoint was saved or the wait began (.gz ones too; a copy the checkpoint keeps a position for, from there), then the file there now, if any, are sent whole; "
	case !atPath:
		msg += "no file is at the path now: the file that appears there is sent whole; "
	case t.cfg.StartAt == StartEnd:
		msg += "start_at end: the lines already in the file now at the path are skipped, only lines written from now on are sent; "
	default:
		msg += "start_at beginning: the file now at the path is sent whole; "
	}
	msg += "if you have the old file, send those lines with gitlab-syslog send (send_missed)"
	attrs := []any{"checkpoint_file", ck.File, "checkpoint_offset", ck.Offset,
		"looked_for", rotatedNames(t.naming()), "start_at", t.cfg.StartAt.String(),
		"send_missed", sendMissed("OLD_FILE", ck.Offset)}
	if len(unreadable) > 0 {
		attrs = append(attrs, "unreadable_copies", strings.Join(unreadable, ", "))
	}
	t.log.Warn(msg, attrs...)
}

// unreadableCopies returns the names of the rotated copies whose first
// bytes cannot be read (headUnreadable: a .gz cut short before them, or
// no gzip): the checkpoint cannot be found in them, though one may hold
// its file.
func (t *Tailer) unreadableCopies() []string {
	sibs, err := rotatedSiblings(t.naming())
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range sibs {
		if headUnreadable(s) {
			out = append(out, s.name)
		}
	}
	return out
}

// headUnreadable reports whether the first FingerprintMax bytes of the
// compressed copy s cannot be read: it is no gzip, or its data ends
// before them other than at the end of a whole gzip stream (cut short, or
// damaged). A plain copy, or one that cannot be opened (gone), is not.
func headUnreadable(s sibling) bool {
	if !s.gz {
		return false
	}
	opened, hdrErr, err := discardGzip(s.name, FingerprintMax)
	return opened && (hdrErr != nil || err != nil && err != io.EOF)
}

// discardGzip opens the gzip file name and reads and discards n bytes of
// its data. opened is false when the file cannot be opened; hdrErr is the
// error of reading its gzip header, err that of its data (io.EOF when it
// ends, at the end of a gzip stream, before n bytes).
func discardGzip(name string, n int64) (opened bool, hdrErr, err error) {
	f, err := os.Open(name)
	if err != nil {
		return false, nil, nil
	}
	defer f.Close()
	gr, err := gzip.NewReader(f)
	if err != nil {
		return true, err, nil
	}
	defer gr.Close()
	_, err = io.CopyN(io.Discard, gr, n)
	return true, nil, err
}

// sendMissed returns the shell command that sends, with gitlab-syslog
// send, the lines of file from the line that holds offset on: from its
// start, not from offset, which may be inside a last line that a run
// --once sent without its newline (that line is then sent whole, its
// first part a second time) rather than its loose tail. The line number
// is counted by the shell (head -c | wc -l), as findLine's commands do.
func sendMissed(file string, offset int64) string {
	return fmt.Sprintf("tail -n +$(( $(head -c %d %s | wc -l) + 1 )) %s | gitlab-syslog send --to URL", offset, file, file)
}

// warnUnusableCheckpoint logs that the checkpoint saved for the file
// cannot be used (err says why) and what start_at does instead.
func (t *Tailer) warnUnusableCheckpoint(err error) {
	msg := "tailer: the checkpoint saved for the file cannot be used (see err); "
	if t.cfg.StartAt == StartEnd {
		msg += "start_at end: the lines already in the file are skipped, those written while the agent was stopped included: " +
			"they are not sent; if lines are missing downstream, send them with gitlab-syslog send"
	} else {
		msg += "start_at beginning: the file is sent whole again, so the lines sent before arrive twice at the collector"
	}
	t.log.Warn(msg, "err", err, "start_at", t.cfg.StartAt.String())
}

// rotatedNames says, for messages, where rotatedSiblings looks for the
// rotated copies of r's file, and under which names.
func rotatedNames(r copyNaming) string {
	old := OldDir(r.path, r.oldDir)
	path := RotatedPath(r.path)
	base := filepath.Base(path)
	in := filepath.Dir(path)
	if old != "" && !sameDir(old, in) {
		in += " and in " + old
	} else {
		in += " (give the source's olddir if logrotate moves them elsewhere)"
	}
	names := fmt.Sprintf("%s.N, %s-DATE, %s.DATE, %s_DATE", base, base, base, base)
	if stem, ok := extStem(base, r.ext); ok {
		names += fmt.Sprintf(", %s.N%s, %s-DATE%s", stem, r.ext, stem, r.ext)
	}
	return names + ", each also .gz, in " + in
}
