package parser

// Column names travel as RFC 5424 STRUCTURED-DATA, whose PARAM-NAMEs (and
// SD-IDs) are SD-NAMEs (RFC 5424 §6.3.3): 1 to 32 printable US-ASCII
// characters other than '=', ']', '"' and space. A fixed column name is
// always a valid SD-NAME. A meta.* column is MetaPrefix followed by a valid
// SD-NAME: the forwarder sends it as that SD-NAME in an SD element of its
// own. So every column reaches the wire under the name Parse gave it.

// MaxSDName is the longest SD-NAME in bytes (RFC 5424 §6.3.3).
const MaxSDName = 32

// MetaPrefix starts the name of every column copied from a Labkit context
// key of the line (meta.caller_id, meta.remote_ip, ...). What follows it is
// always a valid SD-NAME: the key's own text when that is one, else its
// SDName short form.
const MetaPrefix = "meta."

// shortHash is the length of the hash suffix of a short form: '~' and 8 hex
// digits.
const shortHash = 9

// ValidSDName reports whether name is a valid RFC 5424 SD-NAME: 1 to 32
// bytes, each printable US-ASCII (%d33-126) other than '=', ']' and '"'.
func ValidSDName(name string) bool {
	if name == "" || len(name) > MaxSDName {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !sdNameByte(name[i]) {
			return false
		}
	}
	return true
}

// sdNameByte reports whether an SD-NAME may hold c.
func sdNameByte(c byte) bool {
	return c >= 33 && c <= 126 && c != '=' && c != ']' && c != '"'
}

// SDName returns name when it is a valid SD-NAME (ValidSDName), and its
// short form otherwise. The short form is deterministic and always valid:
//
//	the first 23 bytes of name, each byte an SD-NAME cannot hold (space,
//	'=', ']', '"', control and non-ASCII bytes) replaced by '_',
//	then '~' and the 32-bit FNV-1a hash of all of name as 8 lower-case hex digits.
//
// For example the 40-byte "artifacts_dependencies_count_per_project"
// becomes "artifacts_dependencies_~b3598ed6", "a b" becomes "a_b~10a3f9f2"
// and "" becomes "~811c9dc5". Two names that differ only after byte 23, or
// only in bytes replaced by '_', differ in the hash (unless their 32-bit
// hashes collide, a chance of 1 in 2^32 per pair); a short form equals
// another name only if that name is itself of the form prefix~hash.
// SDName allocates only for a name it changes.
func SDName(name string) string {
	if ValidSDName(name) {
		return name
	}
	var b [MaxSDName]byte
	return string(appendShort(b[:0], name))
}

// AppendSDName appends SDName(name) to dst and returns the extended buffer.
// It does not allocate when dst has room.
func AppendSDName(dst []byte, name string) []byte {
	if ValidSDName(name) {
		return append(dst, name...)
	}
	return appendShort(dst, name)
}

// appendShort appends the short form of name.
func appendShort(dst []byte, name string) []byte {
	n := min(len(name), MaxSDName-shortHash)
	for i := range n {
		c := name[i]
		if !sdNameByte(c) {
			c = '_'
		}
		dst = append(dst, c)
	}
	h := uint32(2166136261) // FNV-1a 32-bit offset basis
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= 16777619 // FNV-1a 32-bit prime
	}
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '~')
	for shift := 28; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[h>>uint(shift)&0xf])
	}
	return dst
}
