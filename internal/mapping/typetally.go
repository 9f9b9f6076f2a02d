package mapping

import (
	"bytes"

	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TypeTally counts the first lines of a file read as one type: how many,
// how many parsed as it, and, of the others, the type each looks like
// (parser.Detect, or a stricter judge of the caller's); of those that
// parsed, the other type whose marks they carry (see Marked): the JSON
// parsers take one another's lines. check and the agent ask Mismatch of
// it whether the type given is wrong.
type TypeTally struct {
	N, Parsed int
	Looks     [parser.NumTypes]int // by the type a line that did not parse looks like
	Marked    [parser.NumTypes]int // by the other type a line that parsed is marked as
}

// Add counts a line that parsed, or, when parsed is false, that looks
// like a line of type looks (parser.TypeUnknown: of none). For a line
// that parsed, looks is the other type it is marked as (Marked), or
// parser.TypeUnknown.
func (t *TypeTally) Add(parsed bool, looks parser.Type) {
	t.N++
	if parsed {
		t.Parsed++
		t.Marked[looks]++
		return
	}
	t.Looks[looks]++
}

// Marked returns the type other than want whose marks line, which parsed
// as want, carries: parser.TypeAudit for an audit key (author_id,
// entity_type, entity_id), parser.TypeAuth for Rack::Attack's message or
// the throttle allowlist, which only those logs write (parser.Detect);
// parser.TypeUnknown otherwise. The JSON parsers take any JSON object of
// GitLab's with their few required keys, so an audit line parses as an
// auth or application one, and a Rack::Attack line as an application
// one; their types are told by such marks only, never by an application
// line's (severity and time), which auth_json.log lines carry too.
func Marked(line []byte, want parser.Type) parser.Type {
	if t := parser.Detect(line); t != want && (t == parser.TypeAudit || t == parser.TypeAuth) {
		return t
	}
	return parser.TypeUnknown
}

// Marks names what marks a line of t for Marked (t TypeAudit or
// TypeAuth), for messages; "" for the other types.
func Marks(t parser.Type) string {
	switch t {
	case parser.TypeAudit:
		return "audit keys: author_id, entity_type, entity_id"
	case parser.TypeAuth:
		return "Rack::Attack's message or the throttle user allowlist"
	}
	return ""
}

// MarkedMostly reports whether most of the lines Mismatch counts as of
// type other parsed as the type asked (and are marked as other) rather
// than did not parse: they are sent parsed as that type, under its
// APP-NAME, rather than raw.
func (t *TypeTally) MarkedMostly(other parser.Type) bool {
	return t.Marked[other] > t.Looks[other]
}

// Mismatch returns the type other than want that more than half of the
// lines counted look like or are marked as, and how many, when none of
// them parsed as want unmarked; parser.TypeUnknown and 0 otherwise (also
// when none was counted).
func (t *TypeTally) Mismatch(want parser.Type) (parser.Type, int) {
	if t.N == 0 || t.Marked[parser.TypeUnknown] > 0 { // a line parsed as want, unmarked
		return parser.TypeUnknown, 0
	}
	other := func(ty parser.Type) int { return t.Looks[ty] + t.Marked[ty] }
	best := parser.TypeUnknown
	for ty := parser.TypeAudit; ty < parser.NumTypes; ty++ {
		if ty != want && other(ty) > other(best) {
			best = ty
		}
	}
	if best == parser.TypeUnknown || 2*other(best) <= t.N {
		return parser.TypeUnknown, 0
	}
	return best, other(best)
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
