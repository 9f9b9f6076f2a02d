package tailer

// Stats is a snapshot of a Tailer's counters. Counters only grow.
type Stats struct {
	Lines uint64 // lines handed out in batches
	// FollowedLines counts the lines of Lines that github.com/nxadm/tail
	// delivered; the others came from the tailer's own reader.
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
	// CommitGaps counts commits ignored because they would have skipped
	// uncommitted lines.
	CommitGaps uint64

	// ReadFile and ReadOffset: file and offset just after the last line handed out.
	ReadFile   FileID
	ReadOffset int64
	// CommittedFile and CommittedOffset: the checkpoint position.
	CommittedFile   FileID
	CommittedOffset int64
	// CheckpointLag is ReadOffset - CommittedOffset when both are in the same
	// file, else ReadOffset (a lower bound).
	CheckpointLag int64
	// Mode is what the tailer does: "starting", "reading" (own backlog
	// reader), "polling" (own reader again every 2ms-FollowLinger while
	// lines flow fast), "following" (github.com/nxadm/tail), "rotating" (draining a
	// renamed file), "recovering" (reading a rotated copy), "waiting" (for
	// the file), "stopped".
	Mode string
	// Poll reports that github.com/nxadm/tail polls instead of using inotify.
	Poll bool
	// Outstanding is the number of batches handed out and not yet released.
	Outstanding int64
}

// Stats returns a snapshot of the counters. It is safe for concurrent use.
func (t *Tailer) Stats() Stats {
	s := Stats{
		Lines:               t.c.lines.Load(),
		FollowedLines:       t.c.followed.Load(),
		Bytes:               t.c.bytes.Load(),
		TruncatedLines:      t.c.truncLines.Load(),
		Rotations:           t.c.rotations.Load(),
		Truncations:         t.c.truncations.Load(),
		RecoveredBytes:      t.c.recovered.Load(),
		CheckpointWrites:    t.c.ckWrites.Load(),
		CheckpointErrors:    t.c.ckErrors.Load(),
		CheckpointDiscarded: t.c.ckDiscarded.Load(),
		ReopenFailures:      t.c.reopenFailures.Load(),
		CommitGaps:          t.c.commitGaps.Load(),
		Poll:                t.poll,
		Outstanding:         t.c.outstanding.Load(),
	}
	t.mu.Lock()
	s.ReadFile, s.ReadOffset = t.readID, t.readOff
	s.CommittedFile, s.CommittedOffset = t.com.id, t.com.off
	s.Mode = t.mode
	t.mu.Unlock()
	if s.ReadFile.SameFile(s.CommittedFile) {
		s.CheckpointLag = s.ReadOffset - s.CommittedOffset
	} else {
		s.CheckpointLag = s.ReadOffset
	}
	return s
}
