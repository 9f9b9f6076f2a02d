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
		// "key": a key with an escape, a control character, a non-ASCII
		// byte or whitespace at either end is left to walk.
		if i >= len(b) || b[i] != '"' {
			return 0, false
		}
		ks := i + 1
		ke := plainEnd(b, ks)
		if ke >= len(b) || b[ke] != '"' {
			return 0, false
		}
		k := b[ks:ke]
		if len(k) > 0 && (k[0] == ' ' || k[len(k)-1] == ' ') {
			k = trimKey(k) // GitLab has written "entity_type "
		}
		i = ke + 1
		if i >= len(b) || b[i] != ':' {
			if i = skipWS(b, i); i >= len(b) || b[i] != ':' {
				return 0, false
			}
		}
		i++
		if i < len(b) && b[i] <= ' ' {
			i = skipWS(b, i)
		}

		var end int
		if idx := o.keyIndex(k); idx >= 0 {
			s, ok := o.spanFast(i, depth, src)
			if !ok {
				return 0, false
			}
			if src == srcTop || o.slots[idx].src != srcTop {
				o.slots[idx] = s
			}
			end = int(s.end)
		} else if src == srcTop && o.keys == keysAudit && string(k) == "details" {
			// A later "details" replaces an earlier one, as in a map.
			for n := range o.slots {
				if o.slots[n].src == srcDetails {
					o.slots[n] = span{}
				}
			}
			var ok bool
			if i < len(b) && b[i] == '{' {
				end, ok = o.walkFast(i, depth+1, srcDetails)
			} else {
				var s span
				s, ok = o.spanFast(i, depth, src)
				end = int(s.end)
			}
			if !ok {
				return 0, false
			}
		} else if src == srcTop && len(k) >= len(MetaPrefix) && string(k[:len(MetaPrefix)]) == MetaPrefix {
			s, ok := o.spanFast(i, depth, src)
			if !ok {
				return 0, false
			}
			o.setMeta(k, s)
			end = int(s.end)
		} else {
			s, ok := o.spanFast(i, depth, src)
			if !ok {
				return 0, false
			}
			end = int(s.end)
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
