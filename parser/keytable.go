package parser

import (
	"encoding/binary"
	"math/bits"
)

// A keyTable maps the JSON keys a parser keeps to what it does with them. It
// is an open-addressing hash table keyed by the first eight bytes of the key,
// so that the fast walk finds a key in the line with one word load and
// comparison, without scanning it first (keys are plain ASCII, so a key that
// matches byte for byte and is followed by '"' is that key).
type keyTable struct {
	e [keyTableSize]keyEntry
}

// keyTableSize is the number of entries; at most a third are used, so
// probe sequences stay short.
const keyTableSize = 128

// keyEntry is one key of a keyTable; the zero entry is free.
type keyEntry struct {
	// w is the key's first eight bytes, little-endian, zero-padded; for a
	// key longer than eight bytes, w2 is its last eight bytes and w1 (for
	// one longer than sixteen) bytes 8 to 16.
	w, w1, w2 uint64
	n         int // the key's length
	action    int
	key       string
}

// maxTableKey is the longest key a keyTable holds: three words.
const maxTableKey = 24

// Key actions other than a slot index (>= 0).
const (
	actNone    = -1   // a key the parser does not keep
	actDetails = -2   // the audit "details" object
	actMeta    = 1000 // actMeta+n: the n-th entry of knownMetaNames
)

// knownMetaNames are the meta.* keys GitLab writes most; they are columns as
// they are.
var knownMetaNames = [...]string{
	"meta.caller_id", "meta.remote_ip", "meta.feature_category", "meta.user", "meta.user_id",
	"meta.project", "meta.root_namespace", "meta.client_id", "meta.root_caller_id",
}

// keySlot is a key and the slot its value goes to.
type keySlot struct {
	key  string
	slot int16
}

// newKeyTable returns the table of keys (the slots), the known meta.* keys
// and, if details, the audit "details" key.
func newKeyTable(keys []keySlot, details bool) *keyTable {
	t := new(keyTable)
	for _, k := range keys {
		t.add(k.key, k.slot)
	}
	for n, k := range knownMetaNames {
		t.add(k, actMeta+int16(n))
	}
	if details {
		t.add("details", actDetails)
	}
	return t
}

func (t *keyTable) add(key string, action int16) {
	if key == "" || len(key) > maxTableKey || t.find([]byte(key)) != actNone {
		panic("parser: bad or repeated key " + quote(key))
	}
	var w [maxTableKey]byte
	copy(w[:], key)
	e := keyEntry{w: binary.LittleEndian.Uint64(w[:]), n: len(key), action: int(action), key: key}
	if len(key) > 8 {
		e.w1 = binary.LittleEndian.Uint64(w[8:])
		e.w2 = binary.LittleEndian.Uint64(w[len(key)-8:])
	}
	for h := keyHash(e.w); ; h = (h + 1) % keyTableSize {
		if t.e[h].key == "" {
			t.e[h] = e
			return
		}
	}
}

func keyHash(w uint64) int {
	return int((w * 0x9e3779b97f4a7c15) >> (64 - 7))
}

// find returns the action of the key k (unescaped and trimmed), or actNone.
func (t *keyTable) find(k []byte) int {
	var w [8]byte
	copy(w[:], k)
	for h := keyHash(binary.LittleEndian.Uint64(w[:])); ; h = (h + 1) % keyTableSize {
		e := &t.e[h]
		if e.key == "" {
			return actNone
		}
		if e.key == string(k) {
			return int(e.action)
		}
	}
}

// match returns the action of the key starting at b[ks] (just after its
// opening quote) and the index of its closing quote, when the key is one of
// t's written as is; otherwise actNone and -1, and the caller scans the key.
func (t *keyTable) match(b []byte, ks int) (int, int) {
	if ks+8 > len(b) {
		return actNone, -1
	}
	x := binary.LittleEndian.Uint64(b[ks:])
	w := x
	if q := eqMask(x, '"'); q != 0 {
		w &= 1<<(bits.TrailingZeros64(q)&^7) - 1
	}
	for h := keyHash(w); ; h = (h + 1) % keyTableSize {
		e := &t.e[h]
		if e.key == "" {
			return actNone, -1
		}
		ke := ks + e.n
		if e.w != w || ke >= len(b) || b[ke] != '"' {
			continue
		}
		if e.n <= 8 || binary.LittleEndian.Uint64(b[ke-8:]) == e.w2 &&
			(e.n <= 16 || binary.LittleEndian.Uint64(b[ks+8:]) == e.w1) {
			return e.action, ke
		}
	}
}
