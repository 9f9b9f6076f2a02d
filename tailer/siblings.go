package tailer

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// rotatedSuffix matches what logrotate appends to a rotated file: ".1",
// ".0", with dateext "-20261122", "-2026-11-22", "-2026112213", or, with a
// dateformat of another separator, ".2026-11-22", "_20261122"; and what the
// kubelet appends to a rotated container log, ".20261122-134501"; each
// optionally ".gz". That is a '.', '-' or '_', a digit, then digits, '-'
// and '_'.
var rotatedSuffix = regexp.MustCompile(`^[._-][0-9][0-9_-]*(?:\.gz)?$`)

// stemSuffix matches what logrotate appends, with its extension option, to
// a log's name without that extension, before it: ".N", or a date of at
// least four digits (a year) after a '.', '-' or '_' ("x.log" with
// extension ".log" is rotated as "x.1.log", "x-20261122.log.gz"). It is
// narrower than rotatedSuffix: a live "x-1.log" or "x_2.log" next to
// "x.log" is not taken for a copy.
var stemSuffix = regexp.MustCompile(`^(?:\.[0-9]+|[._-][0-9]{4}[0-9_-]*)$`)

// copyNaming says where the rotated copies of a followed file are and how
// they are named: next to path (RotatedPath's directory) and in oldDir
// (Config.OldDir), named after path's name, or, with ext (Config.Extension),
// after its name without ext, which they keep at their end.
type copyNaming struct {
	path, oldDir, ext string
}

// where returns the path whose copies r names (RotatedPath), the
// directory they are in beside it, and r's olddir (OldDir), "" when there
// is none or it is that directory by another path.
func (r copyNaming) where() (path, dir, old string) {
	path = RotatedPath(r.path)
	dir = filepath.Dir(path)
	if old = OldDir(r.path, r.oldDir); old != "" && sameDir(old, dir) {
		old = ""
	}
	return path, dir, old
}

// naming returns where the copies of the file c follows are and how they
// are named: of c, Path, OldDir and Extension.
func (c *Config) naming() copyNaming { return copyNaming{c.Path, c.OldDir, c.Extension} }

// naming returns where the tailer's file's copies are and how they are
// named.
func (t *Tailer) naming() copyNaming { return t.cfg.naming() }

// RotatedCopies returns the names of the rotated copies of the file c
// follows, newest first, as the tailer finds them after a rotation or at
// a restart: in Path's directory (RotatedPath's) and in OldDir, named as
// Extension says (see the package doc); of c only these are read. The
// error is that of listing Path's directory.
func RotatedCopies(c Config) ([]string, error) {
	sibs, err := rotatedSiblings(c.naming())
	names := make([]string, len(sibs))
	for i, s := range sibs {
		names[i] = s.name
	}
	return names, err
}

// rotatedName reports whether the file name n is that of a rotated copy
// of the file base rotated with the extension ext (Config.Extension, ""
// for none): base then a rotatedSuffix, or, when base ends in ext, base
// without ext, a rotatedSuffix without ".gz", ext, then maybe ".gz".
func rotatedName(base, ext, n string) bool {
	if strings.HasPrefix(n, base) && rotatedSuffix.MatchString(n[len(base):]) {
		return true
	}
	stem, ok := extStem(base, ext)
	if !ok || !strings.HasPrefix(n, stem) {
		return false
	}
	rest := strings.TrimSuffix(n[len(stem):], ".gz")
	return strings.HasSuffix(rest, ext) && stemSuffix.MatchString(rest[:len(rest)-len(ext)])
}

// extStem returns base without the extension ext, and whether base ends
// in ext after something (ext is not empty).
func extStem(base, ext string) (string, bool) {
	if ext == "" || len(base) <= len(ext) || !strings.HasSuffix(base, ext) {
		return base, false
	}
	return base[:len(base)-len(ext)], true
}

// sibling is a rotated copy of the followed file.
type sibling struct {
	name string
	gz   bool
	fi   os.FileInfo
	// r names the copies it was listed among (rotatedSiblings), where
	// open looks for it when it was renamed since; zero: it is not
	// looked for.
	r copyNaming
}

// RotatedPath returns the path whose rotated copies are those of path:
// path itself, or, when path is a symlink (Kubernetes'
// /var/log/containers/*.log), the file it names, next to which they are
// (the kubelet renames /var/log/pods/.../0.log to 0.log.20261201-120000),
// also while that file is missing (between the kubelet's rename and the
// runtime's new file; see danglingTarget). A symlink that cannot be read
// gives path.
func RotatedPath(path string) string {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if real, err := filepath.EvalSymlinks(path); err == nil {
			return real
		}
		return danglingTarget(path)
	}
	return path
}

// maxLinks bounds the symbolic links danglingTarget follows, as the
// kernel's limit (40) does.
const maxLinks = 40

// danglingTarget returns the path of the missing file the symlink at path
// names through its chain of links, with the symbolic links of its
// directory resolved, or path when the chain cannot be read or has no
// end: the place of the rotated copies of a container log whose file the
// kubelet renamed while the runtime has not created the new one yet.
func danglingTarget(path string) string {
	p := path
	for range maxLinks {
		t, err := os.Readlink(p)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(p), t)
		}
		p = t
		if fi, err := os.Lstat(p); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			if dir, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
				return filepath.Join(dir, filepath.Base(p))
			}
			return p
		}
	}
	return path
}

// OldDir returns the directory oldDir (Config.OldDir) names for the file
// at path: oldDir itself when absolute, else oldDir relative to the
// directory of path (of the file it names when path is a symlink,
// RotatedPath), as logrotate resolves its olddir; "" for "".
func OldDir(path, oldDir string) string {
	switch {
	case oldDir == "":
		return ""
	case filepath.IsAbs(oldDir):
		return filepath.Clean(oldDir)
	}
	return filepath.Join(filepath.Dir(RotatedPath(path)), oldDir)
}

// rotatedSiblings lists the rotated copies of r's file, newest first (see
// byRotation): those in its directory and, when r has an olddir, in
// OldDir(r.path, r.oldDir), which need not exist yet (and is listed once
// when it is the file's directory by another path).
func rotatedSiblings(r copyNaming) ([]sibling, error) {
	path, dir, old := r.where()
	base := filepath.Base(path)
	out, err := appendRotated(nil, dir, base, r.ext)
	if err != nil {
		return nil, fmt.Errorf("tailer: list rotated copies of %s: %w", path, err)
	}
	if old != "" {
		if out, err = appendRotated(out, old, base, r.ext); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("tailer: list rotated copies of %s in olddir: %w", path, err)
		}
	}
	// While logrotate compresses a copy, both name.1 and name.1.gz exist and
	// the .gz may still be incomplete (and is the newer of the two): the
	// plain copy, removed only once the .gz is complete, stands for both.
	// A name.N.gz that holds another file than name.N (compress turned on
	// between rotations) is a copy of its own.
	plain := make(map[string]sibling, len(out))
	for _, s := range out {
		if !s.gz {
			plain[s.name] = s
		}
	}
	kept := out[:0]
	for _, s := range out {
		if p, ok := plain[strippedName(s.name)]; !s.gz || !ok || !oneFile(p, s) {
			s.r = r
			kept = append(kept, s)
		}
	}
	return byRotation(base, kept), nil
}

// oneFile reports whether the plain copy p and the compressed copy z of
// the same name (name.N and name.N.gz) hold one file: logrotate's
// compress writes name.N.gz from name.N, then removes name.N, so that
// while it runs both exist and the .gz is incomplete (unreadable yet, or
// its data a prefix of p's). Copies of two files differ: with compress
// turned on between rotations, an old plain name.2 stays beside a newer
// name.2.gz; with names that have the second (the kubelet's), a file
// rotated and compressed, then the next one rotated within that second,
// leaves name.S.gz beside a plain name.S. Two files may begin alike (the
// ends of one long line split into Docker's partial records), so it
// compares up to oneFileMax first bytes of z's data, not only the
// fingerprint's. A copy that cannot be read (z not yet a gzip, p
// unreadable) is taken for one file, as before any .gz is complete.
func oneFile(p, z sibling) bool {
	fp, err := os.Open(p.name)
	if err != nil {
		return true
	}
	defer fp.Close()
	fz, err := os.Open(z.name)
	if err != nil {
		return true
	}
	defer fz.Close()
	gr, err := gzip.NewReader(fz)
	if err != nil {
		return true
	}
	defer gr.Close()
	return prefixOf(io.LimitReader(gr, oneFileMax), fp)
}

// oneFileMax is how many first bytes of a compressed copy oneFile
// compares with the plain copy of the same name: 1 MiB.
const oneFileMax = 1 << 20

// prefixOf reports whether the bytes z yields, up to its end or first
// error (a .gz being written ends early), are the first bytes of p: false
// when they differ or p ends before them; true when p cannot be read.
func prefixOf(z, p io.Reader) bool {
	bz, bp := make([]byte, 32<<10), make([]byte, 32<<10)
	for {
		n, errZ := io.ReadFull(z, bz)
		if n > 0 {
			m, errP := io.ReadFull(p, bp[:n])
			if errP != nil && errP != io.EOF && errP != io.ErrUnexpectedEOF {
				return true
			}
			if m < n || !bytes.Equal(bz[:n], bp[:n]) {
				return false
			}
		}
		if errZ != nil {
			return true
		}
	}
}

// sameDir reports whether the directories a and b are one: the same path,
// or, through symbolic links, the same directory.
func sameDir(a, b string) bool {
	if a == b {
		return true
	}
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// appendRotated appends to out the regular files in dir named as rotated
// copies of base with the extension ext (rotatedName).
func appendRotated(out []sibling, dir, base, ext string) ([]sibling, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return out, err
	}
	for _, e := range ents {
		n := e.Name()
		if !rotatedName(base, ext, n) {
			continue
		}
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		out = append(out, sibling{name: filepath.Join(dir, n), gz: strings.HasSuffix(n, ".gz"), fi: fi})
	}
	return out, nil
}

// byRotation returns sibs, the rotated copies of the file base, newest
// first in the order of their rotation: within one naming scheme by name
// (see rotatedAfter), so that copies last written within one tick of the
// file system's clock keep their order; the copies of the numbered scheme
// and those of the dated ones are then merged by modification time, the
// numbered one first when the times are equal.
func byRotation(base string, sibs []sibling) []sibling {
	var num, dated []sibling
	for _, s := range sibs {
		if _, ok := rotationIndex(base, s.name); ok {
			num = append(num, s)
		} else {
			dated = append(dated, s)
		}
	}
	for _, g := range [][]sibling{num, dated} {
		sort.SliceStable(g, func(i, j int) bool { return rotatedAfter(base, g[i], g[j]) })
	}
	out := sibs[:0]
	for len(num) > 0 || len(dated) > 0 {
		if len(dated) == 0 || len(num) > 0 && !dated[0].fi.ModTime().After(num[0].fi.ModTime()) {
			out, num = append(out, num[0]), num[1:]
		} else {
			out, dated = append(out, dated[0]), dated[1:]
		}
	}
	return out
}

// readHead returns up to n first bytes of a sibling, decompressed for .gz:
// of the file listed, under its name now when logrotate renamed it since
// (see open).
func (s sibling) readHead(n int) ([]byte, error) {
	f, now, err := s.open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return copyHead(f, now.gz, n)
}

// errRenamedSince is the error of a rotated copy that is no longer at its
// name, nor at another in its directory: removed, or compressed to
// another inode, since it was listed. It satisfies fs.ErrNotExist.
var errRenamedSince = fmt.Errorf("no longer there since it was listed: %w", fs.ErrNotExist)

// open opens s, a rotated copy as rotatedSiblings listed it, and returns
// the file with s as it is now. logrotate may have renamed the copy since
// it was listed (path.1 to path.2, path.2.gz to path.3.gz: a rotation
// while the tailer starts, or drains copies), and its name then names the
// next copy, which must not be taken for s: read from s's offset, it sent
// again the lines of that copy up to its own kept position, and its first
// bytes, not s's, made s's kept position unknown, so that s was read again
// from 0 (fresh-user trial 275, logrotate's create under load; /tmp/dupe
// runs L9 seed 10, F2a seed 5). The file opened must be s's (its device
// and inode); else s is looked up among the rotated copies (s.r; not at
// the path, where a new file may have been given the inode of a copy
// compressed and removed since) by its device and inode, its compression
// and a size no smaller (a .gz: the same size and time), under its new
// name; a plain copy not found so, compressed since to another inode, is
// its .gz, found by its time (logrotate's compress keeps it: a copy
// compressed between the listing and the open was lost; /tmp/dupe runs
// P3 and G3 seed 16, 160 and 120 lines). The error satisfies
// fs.ErrNotExist when it is not there (removed).
func (s sibling) open() (*os.File, sibling, error) {
	for try := 0; ; try++ {
		f, err := os.Open(s.name)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, s, err
		}
		if err == nil {
			fi, err := f.Stat()
			if err != nil {
				f.Close()
				return nil, s, err
			}
			if s.fi == nil || os.SameFile(fi, s.fi) {
				return f, s, nil
			}
			f.Close()
		}
		if s.fi == nil || s.r == (copyNaming{}) || try == 3 {
			return nil, s, &fs.PathError{Op: "open", Path: s.name, Err: errRenamedSince}
		}
		sibs, err := rotatedSiblings(s.r)
		if err != nil {
			return nil, s, err
		}
		found := false
		for _, n := range sibs {
			if renamedFrom(n, s) {
				s, found = n, true
				break
			}
		}
		if !found && !s.gz {
			// Compressed since, to another inode: its .gz has its time
			// (logrotate's compress keeps it).
			for _, n := range sibs {
				if n.gz && n.fi.ModTime().Equal(s.fi.ModTime()) {
					s, found = n, true
					break
				}
			}
		}
		if !found {
			return nil, s, &fs.PathError{Op: "open", Path: s.name, Err: errRenamedSince}
		}
	}
}

// renamedFrom reports whether the rotated copy n may be s renamed: the
// same device and inode, and compression (a rename keeps the .gz), and
// no fewer bytes (a .gz is not written again: the same size and time).
func renamedFrom(n, s sibling) bool {
	if !os.SameFile(n.fi, s.fi) || n.gz != s.gz || n.fi.Size() < s.fi.Size() {
		return false
	}
	return !s.gz || n.fi.Size() == s.fi.Size() && n.fi.ModTime().Equal(s.fi.ModTime())
}

// compressedAfter reports whether s, a .gz copy last written after since,
// may be the copy of a file written after since: the MTIME of its gzip
// header (the time the file it compresses was last written, which gzip,
// and so logrotate's compress, record) is after since, or is not set (0:
// the kubelet's compression, as Go's, sets none; also when the header
// cannot be read). The header's time has whole seconds: one in since's
// second counts as after it. A copy whose header says its file was last
// written in a second before since's is an older copy compressed since.
func (s sibling) compressedAfter(since time.Time) bool {
	f, err := os.Open(s.name)
	if err != nil {
		return true
	}
	defer f.Close()
	gr, err := gzip.NewReader(io.NewSectionReader(f, 0, math.MaxInt64))
	if err != nil {
		return true
	}
	defer gr.Close()
	return gr.ModTime.IsZero() || !gr.ModTime.Before(since.Truncate(time.Second))
}

// begins reports whether s (decompressed when gz) begins with head, which
// is not empty.
func (s sibling) begins(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	h, err := s.readHead(len(head))
	return err == nil && string(h) == string(head)
}

// copyHead returns up to n first bytes of the open file f, decompressed
// when gz. It reads with ReadAt: f's offset does not matter and is not
// moved.
func copyHead(f *os.File, gz bool, n int) ([]byte, error) {
	var r io.Reader = io.NewSectionReader(f, 0, math.MaxInt64)
	if gz {
		gr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("tailer: gzip %s: %w", f.Name(), err)
		}
		defer gr.Close()
		r = gr
	}
	buf := make([]byte, n)
	m, err := io.ReadFull(r, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return buf[:m], err
}

// findByHead returns the newest sibling whose first bytes equal head (a
// rotated copy of the content read so far), preferring the one with the
// given inode. head must not be empty. A copy shorter than head matches
// when all of it is head's beginning: logrotate's copytruncate copied a
// file shorter than the bytes the tailer read before the truncate (lines
// written between the copy and the truncate, read from the file itself).
func findByHead(r copyNaming, head []byte, dev, ino uint64) (sibling, bool) {
	if len(head) == 0 {
		return sibling{}, false
	}
	return findSibling(r, dev, ino, func(s sibling) (bool, error) {
		h, err := s.readHead(len(head))
		return err == nil && len(h) > 0 && bytes.HasPrefix(head, h), err
	})
}

// findByFingerprint returns the sibling matching a checkpoint's identity:
// the SHA-256 of its first fpLen bytes equals fp (decompressed for .gz), the
// inode preferred; with fpLen 0 only the inode can match.
func findByFingerprint(r copyNaming, id FileID) (sibling, bool) {
	return findSibling(r, id.Dev, id.Ino, func(s sibling) (bool, error) { return s.hasID(id) })
}

// findCheckpointFile returns the sibling that is the file ck (of identity
// id) points into, or a copy of it: one that findByFingerprint accepts and
// that holds, just before ck's offset, the bytes ck hashed there; failing
// that, one whose bytes there cannot be read (a .gz damaged or cut short
// before them). One holding other bytes there only begins alike, and one
// that ends before the offset may be a copy of another file too: neither
// is taken for it (see preState).
func findCheckpointFile(r copyNaming, id FileID, ck *checkpoint.Position) (sibling, bool) {
	type fileKey struct {
		name     string
		dev, ino uint64
	}
	states := map[fileKey]preState{} // a .gz is decompressed to the offset once
	pre := func(s sibling) preState {
		d, i := devIno(s.fi)
		k := fileKey{s.name, d, i}
		st, ok := states[k]
		if !ok {
			st = s.pre(ck)
			states[k] = st
		}
		return st
	}
	for _, want := range []preState{preHolds, preUnknown} {
		s, ok := findSibling(r, id.Dev, id.Ino, func(s sibling) (bool, error) {
			ok, err := s.hasID(id)
			return ok && pre(s) == want, err
		})
		if ok {
			return s, true
		}
	}
	return emptyCompressed(r, id, ck)
}

// emptyCompressed returns, for a checkpoint at offset 0 of a file that
// was empty when it was saved (fp_len 0: no first bytes to find it by,
// only its inode), the file compressed to another inode while the agent
// was stopped: the newest .gz copy that holds nothing and was last
// written (its time is its file's: logrotate's compress keeps it) no
// later than the checkpoint was saved, when no copy named as rotated
// before it was last written after it (that one could be the file,
// written to after the checkpoint: then none is taken). The checkpoint
// rests in such a file when a restart follows it for late writes (two
// rotations while stopped, the second before anything was written to the
// new file), with the positions of the newer files read meanwhile kept
// apart (Next, Between); taken for lost, the checkpoint made the next
// restart send again every copy last written shortly before it was saved
// (/tmp/dupe run L8 seed 6: a whole rotated file, 2,960 lines, twice).
func emptyCompressed(r copyNaming, id FileID, ck *checkpoint.Position) (sibling, bool) {
	if id.FingerprintLen != 0 || ck.Offset != 0 || ck.Updated.IsZero() {
		return sibling{}, false
	}
	sibs, err := rotatedSiblings(r)
	if err != nil {
		return sibling{}, false
	}
	for i, s := range sibs { // newest first
		if !s.gz || s.fi.ModTime().After(ck.Updated) {
			continue
		}
		if h, err := s.readHead(1); err != nil || len(h) > 0 {
			continue
		}
		for _, o := range sibs[i+1:] {
			if o.fi.ModTime().After(s.fi.ModTime()) {
				return sibling{}, false
			}
		}
		return s, true
	}
	return sibling{}, false
}

// hasID reports whether s matches the identity id as findByFingerprint
// says, with the error reading its first bytes.
func (s sibling) hasID(id FileID) (bool, error) {
	if id.FingerprintLen == 0 {
		d, i := devIno(s.fi)
		return !s.gz && d == id.Dev && i == id.Ino, nil
	}
	h, err := s.readHead(id.FingerprintLen)
	return err == nil && id.fingerprinted(h), err
}

// findSibling returns the sibling that match accepts, preferring the plain
// one with inode dev/ino, else the newest. A sibling removed during the
// scan (compress replaced name.1 by name.1.gz) makes it list the
// directory again, a few times at most.
func findSibling(r copyNaming, dev, ino uint64, match func(sibling) (bool, error)) (sibling, bool) {
	for try := 0; ; try++ {
		sibs, err := rotatedSiblings(r)
		if err != nil {
			return sibling{}, false
		}
		var found []sibling
		vanished := false
		for _, s := range sibs {
			ok, err := match(s)
			vanished = vanished || errors.Is(err, fs.ErrNotExist)
			if ok {
				found = append(found, s)
			}
		}
		if len(found) > 0 || !vanished || try == 3 {
			return pick(found, dev, ino)
		}
	}
}

func pick(found []sibling, dev, ino uint64) (sibling, bool) {
	for _, s := range found {
		if d, i := devIno(s.fi); d == dev && i == ino && !s.gz {
			return s, true
		}
	}
	if len(found) > 0 {
		return found[0], true
	}
	return sibling{}, false
}

// InOldDir reports whether the file at copy is named as a rotated copy of
// the file at live (rotated with logrotate's extension ext, "" for none;
// see Config.Extension) and is in live's olddir oldDir (OldDir; the same
// directory by any path), where rotation moves live's copies
// (Config.OldDir). It looks at names and directories only.
func InOldDir(copy, live, oldDir, ext string) bool {
	old := OldDir(live, oldDir)
	return old != "" && rotatedName(filepath.Base(RotatedPath(live)), ext, filepath.Base(copy)) && sameDir(filepath.Dir(copy), old)
}

// RotatedBases returns the paths of which path may be a rotated copy by its
// name: path without a suffix that logrotate or the kubelet appends when
// rotating (see rotatedSuffix: ".1", "-20261122", ".20261122-134501", each
// optionally ".gz"), or, when ext (logrotate's extension option,
// Config.Extension) is not empty and the name has such a suffix before ext
// ("x.1.log", "x-20261122.log.gz" with ".log"), the name without it
// ("x.log"); the shortest base first, those of the first form first. It
// returns nil for a name without such a suffix. It looks only at the name,
// not at the file system.
func RotatedBases(path, ext string) []string {
	dir, base := filepath.Split(path)
	var out, withExt []string
	for i := 1; i < len(base); i++ {
		if base[i] != '.' && base[i] != '-' && base[i] != '_' {
			continue
		}
		if rotatedSuffix.MatchString(base[i:]) {
			out = append(out, dir+base[:i])
		} else if b := base[:i] + ext; ext != "" && rotatedName(b, ext, base) {
			withExt = append(withExt, dir+b)
		}
	}
	return append(out, withExt...)
}
