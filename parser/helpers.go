package parser

import "math"

// Int returns the column called name as a decimal integer (for example
// ResponseCode, BytesSent or AuthorID). ok is false when the column is
// missing or is not an integer that fits in an int64.
func (r *Record) Int(name string) (n int64, ok bool) {
	v, found := r.Get(name)
	if !found || len(v) == 0 {
		return 0, false
	}
	neg := v[0] == '-'
	if neg {
		v = v[1:]
	}
	if len(v) == 0 {
		return 0, false
	}
	var u uint64
	for _, c := range v {
		if c < '0' || c > '9' || u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	switch {
	case !neg && u <= math.MaxInt64:
		return int64(u), true
	case neg && u <= math.MaxInt64+1:
		return int64(-u), true
	}
	return 0, false
}
