package mapping

import (
	"bytes"

	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TypeTally counts the first lines of a file read as one type: how many,
// how many parsed as it, and, of the others, the type each looks like
// (parser.Detect, or a stricter judge of the caller's). check and the
// agent ask Mismatch of it whether the type given is wrong.
type TypeTally struct {
	N, Parsed int
	Looks     [parser.NumTypes]int // by the type a line that did not parse looks like
}

// Add counts a line that parsed, or, when parsed is false, that looks
// like a line of type looks (parser.TypeUnknown: of none).
func (t *TypeTally) Add(parsed bool, looks parser.Type) {
	t.N++
	if parsed {
		t.Parsed++
		return
	}
	t.Looks[looks]++
}

// Mismatch returns the type other than want that more than half of the
// lines counted look like, and how many do, when none of them parsed;
// parser.TypeUnknown and 0 otherwise (also when none was counted).
func (t *TypeTally) Mismatch(want parser.Type) (parser.Type, int) {
	if t.N == 0 || t.Parsed > 0 {
		return parser.TypeUnknown, 0
	}
	best := parser.TypeUnknown
	for ty := parser.TypeAudit; ty < parser.NumTypes; ty++ {
		if ty != want && t.Looks[ty] > t.Looks[best] {
			best = ty
		}
	}
	if best == parser.TypeUnknown || 2*t.Looks[best] <= t.N {
		return parser.TypeUnknown, 0
	}
	return best, t.Looks[best]
}

// NoGitLab reports whether lines were counted and none of them parsed or
// looks like a line of any GitLab log type: a file that is no GitLab log
// (random bytes, another program's log).
func (t *TypeTally) NoGitLab() bool {
	return t.N > 0 && t.Parsed == 0 && t.Looks[parser.TypeUnknown] == t.N
}

// SubcomponentType maps a gitlab-logger subcomponent (the base name of the
// log file without extension) to the parser of its lines, or TypeUnknown
// for a log of no type (production_json, sidekiq): the type a line of a
// container log wrapped by gitlab-logger is read as, whatever its
// source's type.
func SubcomponentType(sub []byte) parser.Type {
	switch string(sub) {
	case "audit_json":
		return parser.TypeAudit
	case "application_json", "application":
		return parser.TypeApplication
	case "auth_json", "auth":
		return parser.TypeAuth
	}
	return parser.TypeUnknown
}

// RecordType returns the type of the line of a decoded container record
// out in a source of type srcType (parser.TypeUnknown: a source without
// type), as run reads it: its gitlab-logger subcomponent's
// (SubcomponentType), else TypeUnknown for stderr (GitLab's lines come on
// stdout, from gitlab-logger or ingress-nginx's access log; stderr carries
// the programs' own messages), else srcType. A line of TypeUnknown is
// dropped, or sent raw under other_subcomponents: forward.
func RecordType(out *container.Line, srcType parser.Type) parser.Type {
	switch {
	case out.Subcomponent != nil:
		return SubcomponentType(out.Subcomponent)
	case bytes.Equal(out.Stream, []byte("stderr")):
		return parser.TypeUnknown
	}
	return srcType
}

// DroppedTally counts the lines a container source without type drops
// (RecordType gives them no type: not wrapped by gitlab-logger) among the
// first lines of a file, by the GitLab log type each looks like
// (parser.Detect). check and the agent ask Bare of it whether the file is
// one of bare GitLab lines of one type, which the source drops all of and
// a source of that type would send.
type DroppedTally struct {
	N     int                  // lines dropped
	Looks [parser.NumTypes]int // by the type they look like
}

// Add counts line, dropped.
func (t *DroppedTally) Add(line []byte) {
	t.N++
	t.Looks[parser.Detect(line)]++
}

// PlainFix says what to give a source without type whose file's first
// lines, read of them, are plain lines (not a runtime's records) tallied
// in t by the type they look like: that type (or a type, when no type is
// more than half of them) and format plain (or auto). A source without
// type takes each line's type from gitlab-logger's envelope, which plain
// lines lack, and drops them; format plain alone is refused without one.
func (t *DroppedTally) PlainFix(read int) string {
	if ty, _ := t.Bare(read); ty != parser.TypeUnknown {
		return "type: " + ty.String() + " and format: plain (or auto)"
	}
	return "a type (audit, application, access or auth) and format: plain (or auto)"
}

// Bare returns the GitLab log type that more than half of read, the
// number of first lines read (the records as read, blank ones aside),
// were dropped looking like, and how many were; parser.TypeUnknown and 0
// when none was.
func (t *DroppedTally) Bare(read int) (parser.Type, int) {
	for ty := parser.TypeAudit; ty < parser.NumTypes; ty++ {
		if n := t.Looks[ty]; n > 0 && 2*n > read {
			return ty, n
		}
	}
	return parser.TypeUnknown, 0
}
