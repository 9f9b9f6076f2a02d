package detect

// replacer is implemented by rules that keep, per source, how far they
// have read a file (FileID and offset), to skip the lines a restart
// delivers again; Engine.Replaced tells them a file was replaced in place.
type replacer interface {
	// replaced forgets the position kept for source name in file fileID.
	replaced(name, fileID string)
}

// replayed reports whether ev, a line of the file of the position src
// (of source name) was restored at, is one folded before the restart: at
// or before that position. The lines of a file come in file order, each
// starting after the one before (and, once the agent said so, at or after
// where its tailer resumed: ResumeAt); a line that starts before that was
// written after the file was truncated or rewritten in place (a live
// copytruncate), and is new: the position is dropped, as Replaced drops
// it, and no later line of the file is taken for a folded one.
func (e *Engine) replayed(name string, src *sourceState, ev *Event) bool {
	if ev.Offset < src.replayNext {
		e.replaced(name, src.replay.FileID)
		return false
	}
	src.replayNext = ev.Offset + 1
	return ev.Offset <= src.replay.Offset
}

// FoldedThrough returns the offset (Event.Offset) through which the
// file fileID of source name was folded by the runs whose state the
// engine restored: its events at or before it are skipped as already
// folded (Stats.Replayed). It returns -1 when the engine restored no
// position in that file.
func (e *Engine) FoldedThrough(name, fileID string) int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.sources[name]; s != nil && fileID != "" && s.replay.FileID == fileID {
		return s.replay.Offset
	}
	return -1
}

// FileCheck is what a reader that gives line numbers as offsets (detect)
// records of a file it read, for a later run to tell that file from
// another with the same FileID (the same first line) before it skips
// lines as folded: the number of a line of it (in Event.Offset's measure)
// and a hash of that line, in a form of the reader's choosing.
type FileCheck struct {
	Line int64  `json:"line"`
	Sum  string `json:"sum"`
}

// Check records c for the file fileID of source name, read by a reader
// that gives line numbers as offsets (detect) through line c.Line, the
// last it read, and returned by FoldedCheck in the next run. With whole,
// the reader read the file to its end and gave every event of it: Save
// saves the source's position as that file through c.Line, with c,
// whatever the run's events were (all deduplicated, or some of another
// input of the same identity read in the same run). Without (a reader
// stopped before the end), the position is that of the last event the
// engine was given, saved with c when it is in that file: c's line, read
// but maybe not folded, still tells the file from another. Of the checks
// given for one file, the one with the highest line is kept (two inputs
// with one identity read in one run: the longer one's); one given for
// another file replaces it. A check with no line or sum is ignored.
func (e *Engine) Check(name, fileID string, c FileCheck, whole bool) {
	if fileID == "" || c.Line <= 0 || c.Sum == "" {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.source(name)
	if s.read.id == fileID && s.read.c.Line > c.Line {
		return
	}
	s.read = fileCheck{id: fileID, c: c, whole: whole}
}

// FoldedCheck returns the check (see Check) saved with the restored
// position FoldedThrough returns for the file fileID of source name, and
// whether there is one: false when the engine restored no position in
// that file, or one saved without a check (by a version that kept none).
func (e *Engine) FoldedCheck(name, fileID string) (FileCheck, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.sources[name]
	if s == nil || fileID == "" || s.replay.FileID != fileID || s.folded.id != fileID {
		return FileCheck{}, false
	}
	return s.folded.c, true
}

// FoldedChecks reports whether any position the engine restored carries
// a check (see FoldedCheck).
func (e *Engine) FoldedChecks() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.sources {
		if s.replay.FileID != "" && s.folded.id == s.replay.FileID {
			return true
		}
	}
	return false
}

// ResumeAt tells the engine that the file fileID (Event.FileID) of source
// name is read again from offset off (bytes), where the agent's tailer
// resumes it: a line of it that starts before off, should one come, was
// written after the file was truncated or rewritten in place, and is not
// taken for one folded before the restart (see replayed). A source or
// file the engine holds no restored position for is left as it is.
func (e *Engine) ResumeAt(name, fileID string, off int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.sources[name]; s != nil && fileID != "" && s.replay.FileID == fileID {
		s.replayNext = max(s.replayNext, off)
	}
}

// Replaced tells the engine that the file fileID (Event.FileID) of source
// name is no longer the file its restored positions are in: it was
// truncated or rewritten in place while the agent was stopped (a
// copytruncate rotation, a new file that reused the inode), keeping its
// identity. Its lines are all new: none is skipped as one folded before
// the restart, as lines at or below a restored offset are. A source or
// file the engine holds no position for is left as it is.
func (e *Engine) Replaced(name, fileID string) {
	if fileID == "" {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.sources[name]; s != nil && s.pos.FileID == fileID {
		s.pos = position{}
	}
	e.replaced(name, fileID)
}

// replaced drops the restored position of source name when it is in file
// fileID, with its restored check (not one Check gave: see sourceState),
// and the rules' positions in it (replacer); under e.mu.
func (e *Engine) replaced(name, fileID string) {
	if s := e.sources[name]; s != nil && s.replay.FileID == fileID {
		s.replay, s.replayNext = position{}, 0
		if s.folded.id == fileID {
			s.folded = fileCheck{}
		}
	}
	for _, r := range e.rules {
		if rp, ok := r.rule.(replacer); ok {
			rp.replaced(name, fileID)
		}
	}
}

// replaced implements replacer: the look-back position of source name,
// when in file fileID, and the positions Observe was given in it.
func (r *impersonation) replaced(name, fileID string) {
	if p, ok := r.lbPos[name]; ok && p.FileID == fileID {
		delete(r.lbPos, name)
	}
	delete(r.observed, name)
}
