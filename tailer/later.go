package tailer

import (
	"os"
	"slices"
	"strings"
)

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

// setBefore records p as the committed position of its file, placed just
// before the position of the file before (at the end when there is none):
// p's file holds content before's had before a truncation, which was
// rotated before what before holds now.
func (l *laterFiles) setBefore(p position, before FileID) {
	if i := l.index(p.id); i >= 0 {
		l.files = slices.Delete(l.files, i, i+1)
	} else if len(l.files) == maxLater {
		l.files = l.files[1:]
	}
	i := l.index(before)
	if i < 0 {
		i = len(l.files)
	}
	l.files = slices.Insert(l.files, i, p)
}

// index returns the index of the position kept for the file id (see
// sameLater), or -1.
func (l *laterFiles) index(id FileID) int {
	for i := range l.files {
		if sameLater(l.files[i], id) {
			return i
		}
	}
	return -1
}

// find returns the position kept for the file id (see sameLater), or nil.
// The pointer is valid until the next set or drop.
func (l *laterFiles) find(id FileID) *position {
	for i := range l.files {
		if sameLater(l.files[i], id) {
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
		if sameLater(l.files[i], id) {
			l.files = l.files[i+1:]
			return
		}
	}
}

// clone returns a copy of l that later changes of l do not touch.
func (l laterFiles) clone() laterFiles { return laterFiles{slices.Clone(l.files)} }

// equal reports whether l and o keep the same positions.
func (l laterFiles) equal(o laterFiles) bool { return slices.Equal(l.files, o.files) }

// sameLater reports whether id identifies the file of the position kept,
// k: the same file (sameFile) whose first bytes, when both were
// fingerprinted over as many, are the same. Files that share an inode but
// begin otherwise are two: logrotate's copytruncate made a copy on the
// inode of an earlier copy, compressed and deleted since, and that copy's
// position replaced the earlier one's, which a restart then read again
// from 0 (fresh-user trial 275: lines sent twice). Fingerprinted over
// different lengths (a file shorter than FingerprintMax grows between
// commits), they are one file when the file now at k's name, on that
// inode, begins with the bytes k's fingerprint covers (decompressed, for a
// .gz), and when it cannot be read there.
func sameLater(k position, id FileID) bool {
	a := k.id
	switch {
	case !sameFile(a, id):
		return false
	case a.FingerprintLen == 0 || id.FingerprintLen == 0:
		return true
	case a.FingerprintLen == id.FingerprintLen:
		return a.Fingerprint == id.Fingerprint
	}
	fi, err := os.Stat(k.name)
	if err != nil || !a.SameAs(fi) {
		return true
	}
	s := sibling{name: k.name, gz: strings.HasSuffix(k.name, ".gz"), fi: fi} // a .gz: a position rekeyed to it (rekeyLater)
	head, err := s.readHead(a.FingerprintLen)
	return err != nil || a.fingerprinted(head)
}
