package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detectconf"
	"github.com/gitlab-syslog/gitlab-syslog/internal/permhint"
)

// inputHint adds to err, the error of opening the input file name, what to
// do about it: for a file that does not exist, the name of a file in the
// same directory it is a likely typo of, else the directory that does not
// exist, else to check the path; for a permission error, what denies it
// and what to do (permhint.For). parse, send and detect add it; other
// errors are returned as they are.
func inputHint(name string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w (%s)", err, missingInputHint(name))
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w%s", err, permhint.For(name, err))
	}
	return err
}

// paramFileHint says what to do about the file path that a --param of a
// file parameter (ti_file, geoip_db) gave and a rule could not read, as
// inputHint says it for an input: for a file that does not exist, a likely
// typo of it, else the directory that does not exist, else to check the
// path; for a permission error, what denies it and what to do
// (permhint.Advice); for a directory, to give the file in it. It returns
// "" for another parameter, and when path can be read or fails otherwise.
func paramFileHint(param, path string) string {
	dirHint, ok := map[string]string{
		"ti_file":  detectconf.TIDirHint,
		"geoip_db": "geoip_db is the database file (a GeoIP2 or GeoLite2 City or Country .mmdb), not its directory; give the file's path",
	}[param]
	if !ok {
		return ""
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode()&fs.ModeNamedPipe != 0 {
		return "" // its open would wait for a writer; the rule's error says what to do
	}
	fd, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return missingInputHint(path)
	case errors.Is(err, fs.ErrPermission):
		return permhint.Advice(path, err)
	case err != nil:
		return ""
	}
	defer fd.Close()
	if fi, err := fd.Stat(); err == nil && fi.IsDir() {
		return dirHint
	}
	return ""
}

// missingInputHint says what to do about the input file name that does not
// exist: its directory that does not exist, else its compressed copy
// (name.gz: logrotate compressed it since), else a likely typo of it,
// else, for a name with a glob's characters, that it is a pattern that
// matched nothing (which the shell passes on as it is). A name that
// exists by the time the hint is made was created meanwhile.
func missingInputHint(name string) string {
	if _, err := os.Stat(name); err == nil {
		return "it exists now, created after it was opened: run again"
	}
	dir := filepath.Dir(name)
	if missing := missingDir(dir); missing != "" {
		return fmt.Sprintf("directory %s does not exist: is the path right?", missing)
	}
	for _, ext := range []string{".gz", ".bz2", ".xz", ".zst"} { // logrotate compressed it
		if fi, err := os.Stat(name + ext); err == nil && fi.Mode().IsRegular() {
			return fmt.Sprintf("did you mean %s? (compressed since, by logrotate: give that name; compressed files are read as they are)", name+ext)
		}
	}
	if m := similarFile(name, ""); m != "" {
		return fmt.Sprintf("did you mean %s?", m)
	}
	if strings.ContainsAny(filepath.Base(name), "*?[") {
		return "a pattern that matched no file: the shell passes a pattern that matches nothing as it is; is the pattern right?"
	}
	return "is the path right?"
}

// similarFile returns the path of a file in name's directory whose name
// name is a likely typo of (config.Suggest), or "". typ is the log type
// the file was given as ("": the one its name says, if any). Neither a
// file GitLab names as another log (audit_json.log for a missing
// auth_json.log) nor a rotated copy of name (audit_json.log.1) is a typo
// of it.
func similarFile(name, typ string) string {
	if name == "" {
		return "" // no name to have mistyped
	}
	dir, base := filepath.Dir(name), filepath.Base(name)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	if typ == "" {
		typ = config.TypeByName(base)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || n == base || strings.HasPrefix(n, base+".") { // name itself: created meanwhile
			continue
		}
		if t := config.TypeByName(n); t != "" && typ != "" && t != typ {
			continue
		}
		names = append(names, n)
	}
	if m := config.Suggest(base, names); m != "" {
		return filepath.Join(dir, m)
	}
	return ""
}

// missingDir returns the outermost directory of dir's path that does not
// exist ("/var/log/gitlab" for /var/log/gitlab/nginx when /var/log exists),
// or "" when dir exists or cannot be checked.
func missingDir(dir string) string {
	missing := ""
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) {
			return missing
		}
		missing = d
		if filepath.Dir(d) == d {
			return missing
		}
	}
}
