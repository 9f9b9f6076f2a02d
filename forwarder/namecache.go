package forwarder

import (
	"sync/atomic"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// paramHead is the text an Encoder writes before a PARAM-VALUE:
// ` NAME="`, with NAME in its parser.SDName form. For a meta.* param NAME
// is what follows "meta." (the param goes into the meta element).
type paramHead struct {
	// name is the string the head was built for. Holding it keeps its bytes
	// alive, so no other string can have the same address while the entry
	// exists, and a string's bytes never change.
	name string
	// text is the head padded with zero bytes to headMax, so that it is
	// copied as one fixed-size block; n is its length.
	text  [headMax]byte
	n     uint8
	short bool // NAME is the short form of name (counted per use)
	meta  bool // name starts with parser.MetaPrefix
}

// headMax is the room of a paramHead's text: ` NAME="` with NAME at most
// MaxSDName bytes is 35 bytes.
const headMax = 48

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

// get returns the head of name when name's slot holds it, else nil. It is
// lookup's fast path, small enough to be inlined into the encoder's loop.
func (c *headCache) get(name string) *paramHead {
	h := c.slot(name).Load()
	if h != nil && len(h.name) == len(name) && unsafe.StringData(h.name) == unsafe.StringData(name) {
		return h
	}
	return nil
}

// lookup returns the head of name, building it when name's slot is still
// empty, or nil when the slot holds another name (the caller then writes the
// name without the cache).
func (c *headCache) lookup(name string) *paramHead {
	if h := c.get(name); h != nil {
		return h
	}
	slot := c.slot(name)
	if slot.Load() != nil {
		return nil
	}
	h := newParamHead(name)
	if !slot.CompareAndSwap(nil, h) {
		return c.lookup(name)
	}
	return h
}

// newParamHead builds the head of name.
func newParamHead(name string) *paramHead {
	h := &paramHead{name: name, meta: isMeta(name)}
	n := name
	if h.meta {
		n = name[len(parser.MetaPrefix):]
	}
	h.short = !parser.ValidSDName(n)
	b := append(h.text[:0], ' ')
	b = parser.AppendSDName(b, n)
	b = append(b, '=', '"')
	h.n = uint8(len(b)) // parser.SDName is at most MaxSDName bytes: b fits text
	return h
}

// head returns the head's text.
func (h *paramHead) head() []byte { return h.text[:h.n] }
