package config

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// SourceWarnings returns a warning for each source of c that is valid but
// probably not what was meant, for check to print and run to log at start:
//
//   - a path whose directory does not exist: a missing file is normal
//     (GitLab creates auth_json.log late) and run waits for it, but a
//     missing directory is almost always a typo (lgos, gitlab_rails), and
//     run would wait forever, sending nothing from the source. The warning
//     names the first directory of the path that is missing and, when one
//     of its existing siblings is a close spelling, the path meant. For
//     the default sources it is one warning about log_dir.
//   - a type that contradicts the file's name, one of GitLab's log names
//     of another type (TypeByName: gitlab_access.log with type audit), or,
//     for a glob, the names of the files it matches now and follows (not
//     those another source names by path or an earlier glob matches: run
//     leaves them to that source): every line would be read as the wrong
//     type, fail to parse and go out raw under the wrong APP-NAME, unseen
//     by the rules. A type that is not valid is a mistake of its own.
//   - an olddir that is not a directory (missingOldDir); a file named as a
//     rotated copy of another source's file, given that source's
//     extension and olddir, which its tailer may read as one after a
//     rotation (copyNamedSources); and two files of one name with one
//     olddir, whose copies logrotate writes over each other there and
//     each source would read as its own (sharedOldDirs; of one glob,
//     globSharedOldDir).
//   - a glob whose matches are files another source follows through
//     other paths (a /var/log/containers symlink and the /var/log/pods
//     file it names, a hard link: followedFiles): run follows each once,
//     with the source that names it, else the first glob that matches it,
//     and skips it in the other; the warning names both sources' lines.
//   - a log_dir given while sources lists files none of which is under
//     it: log_dir is not used (logDirUnused).
//   - the older log of a source's events beside its file, or a file its
//     glob matches (application.log beside application_json.log, auth.log
//     beside auth_json.log: olderLog) that no source reads (unreadLegacy):
//     the default sources follow it when present at start, a list of
//     sources only when it names it.
//
// Each warning begins with where the source is (FILE:LINE: sources[i].path,
// or the key alone without a file) and says what to do.
func (c *Config) SourceWarnings() []string {
	var warns []string
	defaults := false
	taken := c.namedPaths()
	sharedOld := c.sharedOldDirs()
	copyOf := c.copyNamedSources()
	for i, s := range c.Sources {
		key := fmt.Sprintf("sources[%d].path", i)
		if c.BadSource(i) || s.Path == "" {
			continue
		}
		if c.lines[key] == 0 {
			defaults = true
			continue // a default source: log_dir, below
		}
		where := c.Where(key)
		if w := missingDir(s.Path); w != "" && tildeHint(s.Path) == "" { // ~ is RelativePaths'
			warns = append(warns, where+": "+w+"; run waits for it and sends nothing from this source until it appears: correct the path")
		}
		files, linked := followedFiles(i, s, taken)
		if w := typeMismatch(s, files); w != "" {
			warns = append(warns, where+": "+w)
		}
		for _, l := range linked {
			if l.of == i { // two of its own matches are one file
				warns = append(warns, fmt.Sprintf("%s: it matches one file through two paths, a symbolic or hard link or a bind mount (%s is the file of %s; %d such): run follows each such file once, by one of its paths; to match each file once, narrow the pattern",
					where, l.path, l.other, l.n))
				continue
			}
			some := fmt.Sprintf("%d of the files it matches are", l.n)
			if l.n == 1 {
				some = "a file it matches is"
			}
			other := fmt.Sprintf("sources[%d]", l.of)
			if e := c.KeyError(other+".path", nil); e.File != "" && e.Line > 0 {
				other += fmt.Sprintf(" (%s:%d)", e.File, e.Line)
			}
			warns = append(warns, fmt.Sprintf("%s: %s followed by %s through another path, a symbolic or hard link or a bind mount (%s is the file of %s): run follows each such file once, with sources[%d], and skips it here, or it would send every line twice; to have each file reached by one source only, remove one of the two or narrow a pattern (on Kubernetes, follow /var/log/containers or /var/log/pods, not both)",
				where, some, other, l.path, l.other, l.of))
		}
		for _, w := range c.unreadLegacy(files) {
			warns = append(warns, where+": "+w)
		}
		if w := missingOldDir(s); w != "" {
			warns = append(warns, c.Where(fmt.Sprintf("sources[%d].olddir", i))+": "+w)
		}
		if j, ok := copyOf[i]; ok {
			o := c.Sources[j]
			warns = append(warns, fmt.Sprintf("%s: %s is named as a rotated copy of sources[%d]'s file %s (extension %q, olddir %q): after a rotation of that file, its tailer may read this file as one of its copies and send its lines as that source's too; rename the file, or, if logrotate does not name that file's copies so, correct sources[%d]'s extension or olddir",
				where, s.Path, j, o.Path, o.Extension, o.OldDir, j))
		}
		if a, b := globSharedOldDir(s); a != "" {
			warns = append(warns, fmt.Sprintf("%s: %s and %s, both matched, have the same file name and olddir %s: logrotate writes both files' copies there under the same names, each over the other's, and each file's tailer would read the other's copies as its own; give an olddir relative to each file's directory",
				c.Where(fmt.Sprintf("sources[%d].olddir", i)), a, b, tailer.OldDir(a, s.OldDir)))
		}
		if j, ok := sharedOld[i]; ok {
			warns = append(warns, fmt.Sprintf("%s: sources[%d] (%s) has the same file name and olddir %s: logrotate writes both files' copies there under the same names, each over the other's, and each source would read the other's copies as its own; give each its own olddir",
				c.Where(fmt.Sprintf("sources[%d].olddir", i)), j, c.Sources[j].Path, tailer.OldDir(s.Path, s.OldDir)))
		}
	}
	if w := c.logDirUnused(); w != "" {
		warns = append(warns, c.Where("log_dir")+": "+w)
	}
	if defaults && c.LogDir != "" {
		if _, err := os.Stat(c.LogDir); errors.Is(err, fs.ErrNotExist) {
			meant := ""
			if m := meantPath(c.LogDir); m != "" {
				meant = " (did you mean " + m + "?)"
			}
			noFiles := ""
			if c.Streaming.Listen != "" || len(c.InputsOn()) > 0 {
				noFiles = "; to receive only (streaming, inputs) and follow no file, set sources: []"
			}
			warns = append(warns, fmt.Sprintf("%s: %s does not exist%s, so the default sources under it are not followed until it appears; "+
				"give GitLab's log directory with --log-dir or log_dir, /var/log/gitlab on Omnibus%s", c.Where("log_dir"), c.LogDir, meant, noFiles))
		}
	}
	return warns
}

// absPath returns p made absolute against the current directory, as the
// agent resolves a relative path, and cleaned; p cleaned when that fails.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// logDirUnused returns, when log_dir is given (in the file or by a flag)
// while sources lists files none of which is under it, what is wrong and
// what to do: log_dir only places the default sources, so the edit of
// log_dir alone in a file with sources (the packaged one) changes nothing;
// "" otherwise.
func (c *Config) logDirUnused() string {
	_, byFlag := c.flags["log_dir"]
	if c.LogDir == "" || c.lines["log_dir"] == 0 && !byFlag {
		return ""
	}
	dir := absPath(c.LogDir) + string(filepath.Separator)
	n := 0
	for i, s := range c.Sources {
		if s.Path == "" || c.lines[fmt.Sprintf("sources[%d].path", i)] == 0 {
			continue // a default source: under log_dir
		}
		if strings.HasPrefix(absPath(s.Path), dir) {
			return ""
		}
		n++
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%s is given, but sources lists the files to follow and none is under it, so log_dir is not used (it only places the default sources): give the sources' paths under %s, or remove the sources list to follow GitLab's logs there", c.LogDir, c.LogDir)
}

// copyNamedSources returns, for each source (not a glob) whose path is
// named as a rotated copy of another source's file (tailer.RotatedBases
// with that source's extension, or tailer.InOldDir with its olddir), the
// index of that other source.
func (c *Config) copyNamedSources() map[int]int {
	of := map[int]int{}
	for i, s := range c.Sources {
		if s.Path == "" || s.IsGlob() || c.BadSource(i) {
			continue
		}
		for j, o := range c.Sources {
			if j == i || o.Path == "" || o.IsGlob() || c.BadSource(j) {
				continue
			}
			if slices.Contains(tailer.RotatedBases(s.Path, o.Extension), o.Path) || tailer.InOldDir(s.Path, o.Path, o.OldDir, o.Extension) {
				of[i] = j
				break
			}
		}
	}
	return of
}

// globSharedOldDir returns two files the glob source s matches now that
// have the same name and the same olddir (tailer.OldDir), as sharedOldDirs
// finds for two sources; "" when there are none.
func globSharedOldDir(s Source) (a, b string) {
	if !s.IsGlob() || s.OldDir == "" {
		return "", ""
	}
	m, _ := filepath.Glob(s.Path)
	first := map[copySlot]string{}
	for _, p := range m {
		k := slotOf(p, s.OldDir)
		if q, ok := first[k]; ok {
			return q, p
		}
		first[k] = p
	}
	return "", ""
}

// copySlot is where logrotate writes the copies of a file it moves to an
// olddir: that directory, and the file's name, which the copies' names
// begin with. Two files with one copySlot have their copies overwrite
// each other's.
type copySlot struct{ dir, name string }

// slotOf returns the copySlot of the file at path with the olddir oldDir
// (tailer.OldDir resolves it).
func slotOf(path, oldDir string) copySlot {
	return copySlot{tailer.OldDir(path, oldDir), filepath.Base(path)}
}

// sharedOldDirs returns, for each source (not a glob) with an olddir whose
// file name and resolved olddir (tailer.OldDir) an earlier source has too,
// the index of that earlier source.
func (c *Config) sharedOldDirs() map[int]int {
	first := map[copySlot]int{}
	shared := map[int]int{}
	for i, s := range c.Sources {
		if s.OldDir == "" || s.Path == "" || s.IsGlob() || c.BadSource(i) {
			continue
		}
		k := slotOf(s.Path, s.OldDir)
		if j, ok := first[k]; ok {
			shared[i] = j
		} else {
			first[k] = i
		}
	}
	return shared
}

// missingOldDir returns, for a source whose olddir (resolved as the
// tailer does, tailer.OldDir) is not a directory, what is wrong and what
// to do; "" otherwise, or when the path's directory has a pattern.
func missingOldDir(s Source) string {
	if s.OldDir == "" || strings.ContainsAny(filepath.Dir(s.Path), "*?[") {
		return ""
	}
	d := tailer.OldDir(s.Path, s.OldDir)
	fi, err := os.Stat(d)
	switch {
	case err == nil && fi.IsDir():
		return ""
	case err == nil:
		return fmt.Sprintf("%s is not a directory: give the directory logrotate's olddir names (relative to the log's directory, as logrotate takes it)", d)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("%s does not exist: logrotate's olddir must exist (or be made by createolddir); rotated copies are looked for there once it does; correct the path if it is a typo (relative to the log's directory, as logrotate takes it)", d)
	}
	return fmt.Sprintf("%s: %v: the rotated copies there cannot be listed; make it readable by this user", d, err)
}

// missingDir returns, for a path (or a glob, whose directory part has no
// pattern) whose directory does not exist, "directory D does not exist"
// for its first missing directory D, with " (did you mean P?)" when a
// sibling of D is a close spelling, P being the path with it (meantPath);
// "" when the directory exists or cannot be judged (a pattern in it,
// another error).
func missingDir(path string) string {
	dir := filepath.Dir(path)
	if strings.ContainsAny(dir, "*?[") {
		return ""
	}
	missing := firstMissing(dir)
	if missing == "" {
		return ""
	}
	msg := "directory " + missing + " does not exist"
	if m := meantPath(path); m != "" {
		if _, err := os.Stat(m); err == nil || strings.ContainsAny(filepath.Base(m), "*?[") {
			msg += " (did you mean " + m + "?)"
		} else { // the directory is closer, but the file is not there either
			d := strings.TrimSuffix(m, strings.TrimPrefix(path, missing))
			msg += " (did you mean " + d + "? " + strings.TrimPrefix(m, d+string(filepath.Separator)) + " is not in it either)"
		}
	}
	return msg
}

// firstMissing returns the first directory from the root of the path dir
// that does not exist (dir itself, or one of its parents), or "" when dir
// exists or that cannot be told (another error than not existing).
func firstMissing(dir string) string {
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	missing := dir
	for {
		parent := filepath.Dir(missing)
		if parent == missing {
			return ""
		}
		if _, err := os.Stat(parent); err == nil {
			return missing
		} else if !errors.Is(err, fs.ErrNotExist) {
			return ""
		}
		missing = parent
	}
}

// meantPath returns, for a path that does not exist, the path with its
// first missing element (a directory of it, or its last element when only
// that is missing, as for log_dir) replaced by an existing sibling
// directory whose name is a close spelling of it (Suggest: logs for lgos,
// gitlab-rails for gitlab_rails), or "" when there is none.
func meantPath(path string) string {
	missing := path
	if _, err := os.Stat(filepath.Dir(path)); errors.Is(err, fs.ErrNotExist) {
		missing = firstMissing(filepath.Dir(path))
	}
	if missing == "" {
		return ""
	}
	entries, err := os.ReadDir(filepath.Dir(missing))
	if err != nil {
		return ""
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	m := Suggest(filepath.Base(missing), dirs)
	if m == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(missing), m) + strings.TrimPrefix(path, missing)
}

// takenFiles is the files run follows with a source: by the file's path,
// cleaned, and by its identity (fileKey: device and inode, whatever path
// reaches it), with the index of that source and the path it follows the
// file through.
type takenFiles struct {
	paths map[string]bool
	ids   map[string]takenBy
}

// takenBy is the source that follows a file and the path it follows it by.
type takenBy struct {
	i    int
	path string
}

// linkedMatches are the files a glob matches that another source follows
// through other paths: of, that source's index, and one of them (path,
// and other, the path of it that source follows), for a warning.
type linkedMatches struct {
	of, n       int
	path, other string
}

// namedPaths returns the files the sources of c name by a path (not a
// glob): run follows each with its source, whatever glob matches it too,
// by that path or another (a symbolic or hard link).
func (c *Config) namedPaths() takenFiles {
	named := takenFiles{paths: map[string]bool{}, ids: map[string]takenBy{}}
	for i, s := range c.Sources {
		if !s.IsGlob() && s.Path != "" && !c.BadSource(i) {
			named.paths[filepath.Clean(s.Path)] = true
			if k := fileKey(s.Path); k != "" {
				if _, ok := named.ids[k]; !ok {
					named.ids[k] = takenBy{i, s.Path}
				}
			}
		}
	}
	return named
}

// followedFiles returns the files run follows with source i, s: its path,
// or, for a glob, the files it matches now that taken does not hold, and
// adds those to taken. taken holds the files named by a path and those
// of the globs before s: run leaves a match to the source that names it,
// or to the first glob that matched it, whether by the same path or
// through another (the same file by device and inode: a /var/log/containers
// symlink and the /var/log/pods file it names, a hard link). linked
// returns, per source that follows some of the matches through other
// paths, how many and one of them, in the order of the sources.
func followedFiles(i int, s Source, taken takenFiles) (files []string, linked []linkedMatches) {
	if !s.IsGlob() {
		return []string{s.Path}, nil
	}
	matches, _ := filepath.Glob(s.Path)
	for _, p := range matches {
		if taken.paths[filepath.Clean(p)] {
			continue
		}
		k := fileKey(p)
		if by, ok := taken.ids[k]; ok && k != "" {
			j := slices.IndexFunc(linked, func(l linkedMatches) bool { return l.of == by.i })
			if j < 0 {
				linked = append(linked, linkedMatches{of: by.i, path: p, other: by.path})
				j = len(linked) - 1
			}
			linked[j].n++
			continue
		}
		taken.paths[filepath.Clean(p)] = true
		if k != "" {
			taken.ids[k] = takenBy{i, p}
		}
		files = append(files, p)
	}
	slices.SortFunc(linked, func(a, b linkedMatches) int { return a.of - b.of })
	return files, linked
}

// typeMismatch returns a warning for source s whose type contradicts the
// name of its file (TypeByName), or of one of the files its glob matches
// that it follows (files: followedFiles); "". A source without a type, or
// with one that is not valid (a mistake of its own), has none.
func typeMismatch(s Source, files []string) string {
	if DefaultAppName(s.Type) == "" {
		return ""
	}
	var other, types []string
	for _, p := range files {
		if t := TypeByName(p); t != "" && t != s.Type {
			if o := filepath.Base(p) + " is GitLab's " + t + " log"; !slices.Contains(other, o) { // a glob's matches share names
				other = append(other, o)
			}
			if !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
	}
	if len(other) == 0 {
		return ""
	}
	fix := "write type: " + TypeByName(files[0])
	if s.IsGlob() {
		fix = "narrow the pattern to the " + s.Type + " log's files, and give the others a source of their type"
	}
	// The JSON parsers take one another's lines: those go out parsed as
	// the wrong type; the others raw.
	return fmt.Sprintf("type %s, but %s: its lines would be read as %s lines, under APP-NAME %s (raw where the %s parser does not take them), unseen by the rules that read %s lines; %s",
		s.Type, strings.Join(other, ", "), s.Type, cmp.Or(s.AppName, DefaultAppName(s.Type)), s.Type, strings.Join(types, " or "), fix)
}

// olderLog returns the default source of the older log of the events of
// the file named name, which GitLab wrote beside it before (application.log
// beside application_json.log, auth.log beside auth_json.log): the default
// source of name's type that is followed only when present (its note); ok
// is false for other names.
func olderLog(name string) (defaultSource, bool) {
	typ := TypeByName(name)
	for _, d := range defaultSources {
		if typ != "" && d.typ == typ && d.note != "" && d.name != name {
			return d, true
		}
	}
	return defaultSource{}, false
}

// unreadLegacy returns, for the files a source follows (files:
// followedFiles, its path or its glob's matches) that have an older log
// (olderLog), for each such log that exists beside one and that no
// source of c names or matches, what that log is and what to do; none
// otherwise.
func (c *Config) unreadLegacy(files []string) []string {
	var warns, seen []string
	for _, f := range files {
		old, ok := olderLog(filepath.Base(f))
		if !ok {
			continue
		}
		path := filepath.Join(filepath.Dir(f), old.name)
		if slices.Contains(seen, path) || c.reads(path) {
			continue
		}
		seen = append(seen, path)
		if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		warns = append(warns, fmt.Sprintf("%s exists beside %s and no source reads it (%s; without sources, the default sources follow it when it exists at start): if this GitLab writes events there, add a source with type: %s and path: %s; if it holds only old lines, send them once with gitlab-syslog send, or delete it",
			path, filepath.Base(f), old.note, old.typ, path))
	}
	return warns
}

// reads reports whether a source of c names path or matches it.
func (c *Config) reads(path string) bool {
	for _, o := range c.Sources {
		if o.Path == "" {
			continue
		}
		if filepath.Clean(o.Path) == path {
			return true
		}
		if o.IsGlob() {
			if m, _ := filepath.Match(o.Path, path); m {
				return true
			}
		}
	}
	return false
}
