package tailer

import (
	"fmt"
	"os"
)

// Stats is a snapshot of a Tailer's counters. Counters only grow.
type Stats struct {
	Lines uint64 // lines handed out in batches
	// FollowedLines counts the lines of Lines that github.com/nxadm/tail
	// delivered (FollowNxadmTail); the others came from the tailer's own
	// reader.
	FollowedLines  uint64
	Bytes          uint64 // bytes of those lines (as in Batch.Data)
	TruncatedLines uint64 // lines cut to MaxLineBytes
	Rotations      uint64 // the path was found to name a new file (rename rotation, deletion)
	Truncations    uint64 // truncations detected (copytruncate, "> file"), also found at start-up
	RecoveredBytes uint64 // bytes read from rotated copies (.1, .1.gz, dateext) after a rotation or restart
	// CheckpointWrites and CheckpointErrors count checkpoint file writes.
	CheckpointWrites uint64
	CheckpointErrors uint64
	// CheckpointDiscarded counts checkpoints that matched no file (or could
	// not be read), after which StartAt applied.
	CheckpointDiscarded uint64
	// ReopenFailures counts failures to open the path (other than "does not
	// exist") and github.com/nxadm/tail stopping on an error.
	ReopenFailures uint64
	// CommitGaps counts commits that came before the commit of earlier
	// lines: they were kept and applied once those were committed (see
	// Tailer.Commit), never moving the checkpoint past uncommitted lines.
	CommitGaps uint64
	// UnplacedRotated counts rotated copies of the file (path.1,
	// path.2.gz, dateext) that may hold lines never read and were not
	// read: the path was rotated more than once while one file was read
	// (the consumer stopped taking batches, or the machine was
	// overloaded), and the tailer could not tell which copy is that file
	// (several copies begin with its first bytes) or where a copy comes in
	// the rotation order (a compressed copy of another naming scheme, or,
	// that file removed, copies of several schemes); or, at start
	// with StartAt end, the checkpoint matched no file and these copies
	// were written after it was saved; or, at start, copies logrotate
	// renamed to *.backup were written after the checkpoint was saved
	// (warnBackups). A warning names each copy; each is counted once.
	UnplacedRotated uint64
	// TruncationsWithoutCopy counts the truncations (Truncations) after
	// which no rotated copy began with the file's first bytes, so that
	// the lines written between the last read and the truncation, if any,
	// were lost: copytruncate to a copy not looked for (another directory
	// than Config.OldDir, a name Config.Extension does not give), rotate
	// 0, or a plain "> file". A warning says so each time.
	TruncationsWithoutCopy uint64
	// CutRestBytes counts the bytes dropped as the rest of a line longer
	// than MaxLineBytes whose start an earlier run delivered cut
	// (Config.Complete) or skipped (StartEnd): the checkpoint was inside
	// the line. A warning names the file and offset each time.
	CutRestBytes uint64
	// DamagedCopies counts the rotated copies whose reading failed (a
	// gzip copy cut short or damaged, a .gz file that is no gzip): what
	// follows the last whole line read from one, if anything, was not
	// delivered. A warning names each copy and the offset its whole
	// lines reach.
	DamagedCopies uint64
	// LongestCutLine is the length in bytes, without its newline, of the
	// longest line cut to MaxLineBytes so far (TruncatedLines): a
	// MaxLineBytes of at least that keeps such lines whole. 0 when none
	// was cut.
	LongestCutLine int64

	// ReadFile and ReadOffset: file and offset just after the last line handed out.
	ReadFile   FileID
	ReadOffset int64
	// CommittedFile and CommittedOffset: the checkpoint position.
	CommittedFile   FileID
	CommittedOffset int64
	// CheckpointLag is how many bytes after the checkpoint are not yet
	// delivered, read or not: when the file at Path is the checkpoint's,
	// its size minus CommittedOffset (so that it grows while reading
	// waits for the consumer, a collector down), at least ReadOffset -
	// CommittedOffset; else ReadOffset (a lower bound).
	CheckpointLag int64
	// Held reports that the checkpoint is held back by CommitHeld: lines
	// handed out are kept by the consumer, not yet sent.
	Held bool
	// Mode is what the tailer is doing.
	Mode Mode
	// Poll reports that the tailer polls (Config.Poll, or no inotify
	// watcher could be created) instead of being notified by inotify.
	Poll bool
	// Outstanding is the number of batches handed out and not yet released.
	Outstanding int64
}

// Stats returns a snapshot of the counters. It is safe for concurrent use.
func (t *Tailer) Stats() Stats {
	s := Stats{
		Lines:                  t.c.lines.Load(),
		FollowedLines:          t.c.followed.Load(),
		Bytes:                  t.c.bytes.Load(),
		TruncatedLines:         t.c.truncLines.Load(),
		CutRestBytes:           t.c.cutRest.Load(),
		DamagedCopies:          t.c.damaged.Load(),
		LongestCutLine:         t.c.longestCut.Load(),
		Rotations:              t.c.rotations.Load(),
		Truncations:            t.c.truncations.Load(),
		RecoveredBytes:         t.c.recovered.Load(),
		CheckpointWrites:       t.c.ckWrites.Load(),
		CheckpointErrors:       t.c.ckErrors.Load(),
		CheckpointDiscarded:    t.c.ckDiscarded.Load(),
		ReopenFailures:         t.c.reopenFailures.Load(),
		CommitGaps:             t.c.commitGaps.Load(),
		UnplacedRotated:        t.c.unplaced.Load(),
		TruncationsWithoutCopy: t.c.uncopied.Load(),
		Poll:                   t.polls.Load(),
		Outstanding:            t.c.outstanding.Load(),
	}
	t.mu.Lock()
	s.ReadFile, s.ReadOffset = t.readID, t.readOff
	s.CommittedFile, s.CommittedOffset = t.ckp.com.id, t.ckp.com.off
	s.Held = t.ckp.com.held
	s.Mode = t.mode
	t.mu.Unlock()
	if s.ReadFile.SameFile(s.CommittedFile) {
		s.CheckpointLag = s.ReadOffset - s.CommittedOffset
	} else {
		s.CheckpointLag = s.ReadOffset
	}
	if s.CommittedFile != (FileID{}) {
		if fi, err := os.Stat(t.cfg.Path); err == nil {
			dev, ino := devIno(fi)
			if dev|ino != 0 && s.CommittedFile.SameFile(FileID{Dev: dev, Ino: ino}) { // no inode numbers: no size
				s.CheckpointLag = max(s.CheckpointLag, fi.Size()-s.CommittedOffset)
			}
		}
	}
	return s
}

// Mode is what a Tailer is doing, as reported in Stats.Mode.
type Mode int

// The modes of a Tailer.
const (
	ModeStarting   Mode = iota // positioning from the checkpoint
	ModeReading                // reading a file with the tailer's own reader
	ModePolling                // lines flow: the file is read again every FollowLinger
	ModeFollowing              // read to the end: waiting for a change notification
	ModeRotating               // reading a file renamed away before moving to the new one
	ModeRecovering             // reading a rotated copy (after a truncation or at start)
	ModeWaiting                // waiting for the file to appear or become readable
	ModeStopped                // Run returned
)

var modeNames = [...]string{"starting", "reading", "polling", "following", "rotating", "recovering", "waiting", "stopped"}

// String returns the mode's name in lower case ("following"), or
// "Mode(n)" for a value that is no mode.
func (m Mode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}
