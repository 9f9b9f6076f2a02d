package detect

// replacer is implemented by rules that keep, per source, how far they
// have read a file (FileID and offset), to skip the lines a restart
// delivers again; Engine.Replaced tells them a file was replaced in place.
type replacer interface {
	// replaced forgets the position kept for source name in file fileID.
	replaced(name, fileID string)
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
	if s := e.sources[name]; s != nil {
		if s.replay.FileID == fileID {
			s.replay = position{}
		}
		if s.pos.FileID == fileID {
			s.pos = position{}
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
