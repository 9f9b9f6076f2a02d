package container

import "bytes"

// member is one member of a JSON object: its key (with quotes) and its
// value as written.
type member struct {
	key, val []byte
}

// objScanner walks the members of one JSON object without decoding them.
type objScanner struct {
	b   []byte
	i   int
	end bool // the closing brace was reached
}

// newObjScanner starts at b, which must start with '{' after white space.
func newObjScanner(b []byte) (objScanner, bool) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return objScanner{}, false
	}
	return objScanner{b: b, i: i + 1}, true
}

// next returns the next member; ok is false at the end of the object (end
// set) or on a syntax error (end not set).
func (s *objScanner) next() (m member, ok bool) {
	b := s.b
	i := skipWS(b, s.i)
	if i < len(b) && b[i] == '}' {
		s.end, s.i = true, i+1
		return m, false
	}
	if i < len(b) && b[i] == ',' {
		i = skipWS(b, i+1)
	}
	k := skipString(b, i)
	if k < 0 {
		return m, false
	}
	m.key = b[i:k]
	i = skipWS(b, k)
	if i >= len(b) || b[i] != ':' {
		return m, false
	}
	i = skipWS(b, i+1)
	v := skipValue(b, i)
	if v < 0 {
		return m, false
	}
	m.val, s.i = b[i:v], v
	return m, true
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string literal at b[i], or -1.
func skipString(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	for i++; ; {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return -1
		}
		i += q
		n := 0 // backslashes before the quote
		for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return i + 1
		}
		i++
	}
}

// skipValue returns the index after the JSON value at b[i], or -1. Objects
// and arrays are matched by their brackets, strings skipped whole.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				if i = skipString(b, i); i < 0 {
					return -1
				}
				i--
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// keyIs reports whether the quoted key k is "name" (no escapes).
func keyIs(k []byte, name string) bool {
	return len(k) == len(name)+2 && string(k[1:len(k)-1]) == name
}
