package sniff

// UTF16NoBOM returns "UTF-16LE" or "UTF-16BE" when, in the first 1 KiB of
// b (at least 2 characters), at least 9 of 10 bytes at odd offsets (LE)
// or at even offsets (BE) are NUL and none of the others is: ASCII text in
// UTF-16 without a byte order mark. It is "" for other data.
func UTF16NoBOM(b []byte) string {
	n := min(len(b), 1024) &^ 1
	if n < 4 {
		return ""
	}
	var even, odd int // NUL bytes at even and odd offsets
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case even == 0 && odd*10 >= pairs*9:
		return "UTF-16LE"
	case odd == 0 && even*10 >= pairs*9:
		return "UTF-16BE"
	}
	return ""
}
