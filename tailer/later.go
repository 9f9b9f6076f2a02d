package tailer

import "slices"

// maxLater bounds the files whose positions a checkpoint keeps apart; a
// file dropped from them for room is read again from 0 after a restart
// (at least once).
const maxLater = 64

// laterFiles is how far the files read while the checkpoint stays in an
// older file, renamed away and still drained for late writes, were
// committed: one position a file, in the order the files were first
// committed, which is the order of their rotation. The last one is the
// newest file (checkpoint.Position.Next), the others the files between
// (checkpoint.Position.Between). The zero value holds none.
type laterFiles struct {
	files []position
}

// set records p as the committed position of its file.
func (l *laterFiles) set(p position) {
	if at := l.find(p.id); at != nil {
		*at = p
		return
	}
	if len(l.files) == maxLater {
		l.files = l.files[1:]
	}
	l.files = append(l.files, p)
}

// find returns the position kept for the file id (see sameFile), or nil.
// The pointer is valid until the next set or drop.
func (l *laterFiles) find(id FileID) *position {
	for i := range l.files {
		if sameFile(l.files[i].id, id) {
			return &l.files[i]
		}
	}
	return nil
}

// drop forgets every position, when all, or else the position of the file
// id and those kept before it: the checkpoint moved into that file, and
// the ones before it are done.
func (l *laterFiles) drop(id FileID, all bool) {
	if all {
		l.files = nil
		return
	}
	for i := range l.files {
		if sameFile(l.files[i].id, id) {
			l.files = l.files[i+1:]
			return
		}
	}
}

// clone returns a copy of l that later changes of l do not touch.
func (l laterFiles) clone() laterFiles { return laterFiles{slices.Clone(l.files)} }

// equal reports whether l and o keep the same positions.
func (l laterFiles) equal(o laterFiles) bool { return slices.Equal(l.files, o.files) }
