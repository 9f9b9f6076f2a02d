package jsonstr

import (
	"slices"
	"unsafe"
)

// HeadMax is the longest member head a Head holds: `,"` and `":`
// around a name of up to 32 bytes, rounded up to whole words.
const HeadMax = 40

// Head is an object member's head, a comma and the name as a JSON string
// and a colon (`,"name":`), escaped once and kept, so that writing the
// member costs no work on the name (see AppendValue). The zero Head is
// not valid; build one with NewHead.
type Head struct {
	text [HeadMax]byte // the head, then zeros
	n    uint8         // bytes of text in use
}

// NewHead returns the head of the member called name, as AppendMember
// writes it, and true; it returns false for a name longer than 32 bytes
// or one that needs escaping, which AppendMember must write instead.
func NewHead(name string) (Head, bool) {
	var h Head
	if len(name) == 0 || len(name) > 32 {
		return h, false
	}
	b := append(append(h.text[:0], ','), '"')
	for i := 0; i < len(name); i++ {
		if !plain[name[i]] {
			return Head{}, false
		}
	}
	b = append(append(b, name...), '"', ':')
	h.n = uint8(len(b))
	return h, true
}

// headRoom is the free room AppendValue makes: the head copied whole, the
// quotes and a value of up to 32 bytes, and the word store that may pass
// a short value's end by up to 8 bytes.
const headRoom = HeadMax + 2 + 32 + 8

// AppendValue appends the member with head h and value v: exactly what
// AppendMember appends for h's name and v. A value of 1 to 32 bytes that
// needs no escaping is copied in words after the head, copied as one
// block; any other goes through Append.
func AppendValue[S ~string | ~[]byte](dst []byte, h *Head, value S) []byte {
	v := *(*string)(unsafe.Pointer(&value))
	w := len(dst)
	if cap(dst)-w < headRoom {
		dst = slices.Grow(dst, headRoom)
	}
	p := unsafe.Pointer(unsafe.SliceData(dst[w : w+headRoom]))
	*(*[HeadMax]byte)(p) = h.text
	k := int(h.n)
	if n := len(v); n > 0 && n <= 32 {
		q := unsafe.Add(p, k)
		*(*byte)(q) = '"'
		if copyPlain(unsafe.Add(q, 1), v) == 0 {
			*(*byte)(unsafe.Add(q, 1+n)) = '"'
			return dst[:w+k+n+2]
		}
	}
	return appendString(dst[:w+k], v)
}
