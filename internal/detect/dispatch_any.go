package detect

import "github.com/gitlab-syslog/gitlab-syslog/parser"

// anyValue is the Key.Value of a HasColumn key. It cannot be a column
// value: parsed values never contain NUL.
const anyValue = "\x00any"

// HasColumn returns the key for lines of type t that have a (non-empty)
// column col, whatever its value: e.g. audit lines with ImpersonatedBy, or
// access lines with a RemoteUser. Each additional dispatch column costs a
// line one more column lookup in Engine.Want, still without allocation.
func HasColumn(t parser.Type, col string) Key { return Key{Type: t, Column: col, Value: anyValue} }
