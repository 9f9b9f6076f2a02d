package config

import "path/filepath"

// Layout is where Resolve found the default sources under log_dir
// (Resolved.Layout): "omnibus", "flat" or "mixed". String says where each
// puts the files.
type Layout string

// The layouts of the default sources.
const (
	// LayoutOmnibus: every file found under log_dir/gitlab-rails/ or
	// log_dir/nginx/, or none found (the Omnibus paths are waited for).
	LayoutOmnibus Layout = "omnibus"
	// LayoutFlat: every file found directly under log_dir, as in the
	// bundled testdata; those absent are waited for there too.
	LayoutFlat Layout = "flat"
	// LayoutMixed: some files found at their Omnibus path, others
	// directly under log_dir; those absent are waited for at their
	// Omnibus path.
	LayoutMixed Layout = "mixed"
)

// String returns the layout's name and where it puts the files, as run
// logs and check prints it, e.g. "flat (every file directly under log_dir,
// as in the bundled testdata)". The empty Layout (sources not the
// defaults) is "".
func (l Layout) String() string {
	switch l {
	case LayoutOmnibus:
		return "omnibus (log_dir/gitlab-rails/ and log_dir/nginx/)"
	case LayoutFlat:
		return "flat (every file directly under log_dir, as in the bundled testdata)"
	case LayoutMixed:
		return "mixed (some files under log_dir/gitlab-rails/ or log_dir/nginx/, others directly under log_dir)"
	}
	return string(l)
}

// Absent is an optional default source that Resolve left out because its
// file is absent (application.log, which GitLab no longer writes since
// 15.11, and the auth.log of versions before auth_json.log).
type Absent struct {
	// Path is where the layout has the file: <log_dir>/<name> in a flat
	// layout, the Omnibus <log_dir>/<gitlab-rails|nginx>/<name> in the
	// others.
	Path string
	// Or is, in a mixed layout, the other place the file would be,
	// <log_dir>/<name>; "" in the others.
	Or string
	// Note says why the file may be absent.
	Note string
}

// defaultLayout returns the layout of the default sources found under
// logDir (each path as Resolve chose it: flat or nested) and, for each
// optional default source skipped, where that layout has it. Only the
// files that exist decide the layout: one waited for (at its Omnibus path,
// absent from both places) does not make a flat directory mixed, and in a
// flat layout it is moved, in found, to where that layout has it,
// directly under logDir.
func defaultLayout(logDir string, found []Source, skipped []defaultSource) (Layout, []Absent) {
	var flat, nested int
	for _, s := range found {
		switch {
		case !exists(s.Path):
		case filepath.Dir(s.Path) == filepath.Clean(logDir):
			flat++
		default:
			nested++
		}
	}
	layout := LayoutOmnibus
	switch {
	case flat > 0 && nested > 0:
		layout = LayoutMixed
	case flat > 0:
		layout = LayoutFlat
	}
	if layout == LayoutFlat {
		for i := range found {
			if !exists(found[i].Path) {
				found[i].Path = filepath.Join(logDir, filepath.Base(found[i].Path))
			}
		}
	}
	var absent []Absent
	for _, d := range skipped {
		a := Absent{Path: filepath.Join(logDir, d.sub, d.name), Note: d.note}
		switch layout {
		case LayoutFlat:
			a.Path = filepath.Join(logDir, d.name)
		case LayoutMixed:
			a.Or = filepath.Join(logDir, d.name)
		}
		absent = append(absent, a)
	}
	return layout, absent
}
