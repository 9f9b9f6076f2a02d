package parser

import (
	"encoding/binary"
	"math/bits"
)

// This file holds jsonObj's fast path: one function that walks the objects
// GitLab writes (keys without escapes or non-ASCII bytes) with the same
// result as walk, validating as it goes, and gives up on anything else. scan
// then runs walk from the start, which accepts the remaining valid lines and
// names the error of an invalid one, so error reports come from one place.

// plainEnd returns the index of the first byte at or after i that is '"',
// '\\', a control character or >= 0x80, or len(b) when there is none.
func plainEnd(b []byte, i int) int {
	for i+8 <= len(b) {
		if m := specialMask(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(b) && strPlain[b[i]] {
		i++
	}
	return i
}

// walkFast is walk for the object at o.line[i] == '{' when its keys are
// plain. It returns the index after the object and true, having recorded
// what walk records, or false when the object is not in that form or not
// valid; then o.slots and o.meta hold partial results the caller discards.
func (o *jsonObj) walkFast(i, depth int, src byte) (int, bool) {
	b := o.line
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		var act int
		var k []byte
		var ok bool
		if act, k, i, ok = o.keyFast(i); !ok {
			return 0, false
		}
		var end int
		if end, ok = o.valueFast(act, k, i, depth, src); !ok {
			return 0, false
		}
		if end < len(b) && b[end] <= ' ' {
			end = skipWS(b, end)
		}
		if end >= len(b) {
			return 0, false
		}
		switch b[end] {
		case ',':
			i = end + 1
			if i < len(b) && b[i] <= ' ' {
				i = skipWS(b, i)
			}
		case '}':
			return end + 1, true
		default:
			return 0, false
		}
	}
}

// keyFast reads the key at o.line[i] and the colon after it. It returns the
// key's action in o.keys, the key (nil when the table matched it in place),
// and the index of the value. A key with an escape, a control character or
// a non-ASCII byte is left to walk (ok is false).
func (o *jsonObj) keyFast(i int) (act int, k []byte, next int, ok bool) {
	b := o.line
	if i >= len(b) || b[i] != '"' {
		return 0, nil, 0, false
	}
	ks := i + 1
	act, ke := o.keys.match(b, ks)
	if ke < 0 {
		ke = plainEnd(b, ks)
		if ke >= len(b) || b[ke] != '"' {
			return 0, nil, 0, false
		}
		k = b[ks:ke]
		if len(k) > 0 && (k[0] == ' ' || k[len(k)-1] == ' ') {
			k = trimKey(k) // GitLab has written "entity_type "
		}
		act = o.keys.find(k)
	}
	i = ke + 1
	if i >= len(b) || b[i] != ':' {
		if i = skipWS(b, i); i >= len(b) || b[i] != ':' {
			return 0, nil, 0, false
		}
	}
	i++
	if i < len(b) && b[i] <= ' ' {
		i = skipWS(b, i)
	}
	return act, k, i, true
}

// valueFast records the value at o.line[i] of the key k with action act, as
// walk does, and returns the index after it.
func (o *jsonObj) valueFast(act int, k []byte, i, depth int, src byte) (int, bool) {
	if act >= 0 && act < actMeta {
		// Most kept values are plain strings: record them without
		// spanFast's general span.
		b := o.line
		if i < len(b) && b[i] == '"' {
			if e := plainEnd(b, i+1); e < len(b) && b[e] == '"' {
				if replaces(&o.slots[act], src, e == i+1) {
					o.slots[act] = span{start: int32(i), end: int32(e + 1), kind: kindString, src: src,
						alias: byte(b2u(e > i+1)) * aliasString}
					o.set |= 1 << act
				}
				return e + 1, true
			}
		}
		s, ok := o.spanFast(i, depth, src)
		if ok && replaces(&o.slots[act], src, s.blank()) {
			o.slots[act] = s
			o.set |= 1 << act
		}
		return int(s.end), ok
	}
	if src == srcTop {
		switch {
		case act == actDetails:
			return o.detailsFast(i, depth)
		case act >= actMeta:
			s, ok := o.spanFast(i, depth, src)
			if ok {
				o.setMetaName(knownMetaNames[act-actMeta], idMeta+ColID(act-actMeta), s)
			}
			return int(s.end), ok
		case len(k) >= len(MetaPrefix) && string(k[:len(MetaPrefix)]) == MetaPrefix:
			s, ok := o.spanFast(i, depth, src)
			if ok {
				o.setMeta(k, s)
			}
			return int(s.end), ok
		}
	}
	s, ok := o.spanFast(i, depth, src)
	return int(s.end), ok
}

// detailsFast records the audit "details" value at o.line[i]: a later
// "details" replaces an earlier one, as in a map.
func (o *jsonObj) detailsFast(i, depth int) (int, bool) {
	for n := range o.slots {
		if o.slots[n].src == srcDetails {
			o.slots[n] = span{}
		}
	}
	if i < len(o.line) && o.line[i] == '{' {
		return o.walkFast(i, depth+1, srcDetails)
	}
	s, ok := o.spanFast(i, depth, srcTop)
	return int(s.end), ok
}

// spanFast is scanSpan for the value at o.line[i], reporting failure as
// false instead of an error.
func (o *jsonObj) spanFast(i, depth int, src byte) (span, bool) {
	b := o.line
	if i >= len(b) {
		return span{}, false
	}
	if b[i] == '"' {
		e := plainEnd(b, i+1)
		if e < len(b) && b[e] == '"' {
			var alias byte
			if e > i+1 {
				alias = aliasString
			}
			return span{start: int32(i), end: int32(e + 1), kind: kindString, src: src, alias: alias}, true
		}
		end, flags, err := scanString(b, i)
		if err != nil {
			return span{}, false
		}
		return span{start: int32(i), end: int32(end), kind: kindString, flags: flags, src: src}, true
	}
	switch c := b[i]; {
	case c == '{' || c == '[' || c == 't' || c == 'f' || c == 'n' || c == '-' || '0' <= c && c <= '9':
	default:
		return span{}, false // not a value: walk names the error
	}
	end, kind, err := scanValue(b, i, depth)
	if err != nil {
		return span{}, false
	}
	var alias byte
	if kind == kindNumber {
		alias = aliasNumber
	}
	return span{start: int32(i), end: int32(end), kind: kind, src: src, alias: alias}, true
}

// b2u is 1 for true and 0 for false; the compiler makes it a SETcc, not a
// branch.
func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
