package forwarder

import (
	"sync/atomic"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// paramHead is the text an Encoder writes before a PARAM-VALUE:
// ` NAME="`, with NAME in its parser.SDName form.
type paramHead struct {
	// name is the string the head was built for. Holding it keeps its bytes
	// alive, so no other string can have the same address while the entry
	// exists, and a string's bytes never change.
	name  string
	head  string
	short bool // NAME is the short form of name (counted per use)
}

// headSlots is the number of slots of a headCache: well above the 30-odd
// column names and the handful of meta.* names a stream uses.
const headSlots = 512

// headCache remembers the paramHead of the PARAM-NAMEs an Encoder writes,
// keyed by the address and length of the name's bytes. Records from the
// parsers reuse the same name strings (constants and interned meta.* names)
// line after line, so a name is checked against the SD-NAME rules once and
// later costs one lookup instead of a scan. Slots are filled once and never
// replaced, so names that collide do not evict each other (and allocate)
// over and over: the later one is written without the cache. Safe for
// concurrent use; the zero value is empty.
type headCache [headSlots]atomic.Pointer[paramHead]

// slot returns the slot of name's bytes.
func (c *headCache) slot(name string) *atomic.Pointer[paramHead] {
	p := uintptr(unsafe.Pointer(unsafe.StringData(name)))
	h := (uint64(p) ^ uint64(len(name))) * 0x9E3779B97F4A7C15 // Fibonacci hashing
	return &c[h>>(64-9)]
}

// lookup returns the head of name, building it when name's slot is still
// empty, or nil when the slot holds another name (the caller then writes the
// name without the cache).
func (c *headCache) lookup(name string) *paramHead {
	slot := c.slot(name)
	h := slot.Load()
	if h == nil {
		h = newParamHead(name)
		if !slot.CompareAndSwap(nil, h) {
			return c.lookup(name)
		}
		return h
	}
	if len(h.name) == len(name) && unsafe.StringData(h.name) == unsafe.StringData(name) {
		return h
	}
	return nil
}

// newParamHead builds the head of name.
func newParamHead(name string) *paramHead {
	b := make([]byte, 0, len(name)+3)
	b = append(b, ' ')
	b = parser.AppendSDName(b, name)
	return &paramHead{name: name, head: string(append(b, '=', '"')), short: !parser.ValidSDName(name)}
}
