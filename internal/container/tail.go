package container

import "io"

// LastBytes reads r to its end and returns the last n bytes it read (n >
// 0), and whether they are all of it, for LastParts on a stream that
// cannot be read from its end (a compressed copy, read through). It holds
// at most 2n bytes. The error is r's, other than io.EOF.
func LastBytes(r io.Reader, n int) (tail []byte, whole bool, err error) {
	buf := make([]byte, 2*n) // a window: when full, its last n bytes move to its front
	end := 0
	whole = true
	for {
		if end == len(buf) {
			copy(buf, buf[n:])
			end, whole = n, false
		}
		m, err := r.Read(buf[end:])
		end += m
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
	}
	if end > n {
		return buf[end-n : end], false, nil
	}
	return buf[:end], whole, nil
}
