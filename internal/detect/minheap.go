package detect

// heapPush appends x to h, a binary min-heap by less (the earliest at
// h[0]), and returns the heap; typed, so that pushing does not box x as
// container/heap would.
func heapPush[T any](h []T, x T, less func(a, b *T) bool) []T {
	h = append(h, x)
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !less(&h[i], &h[parent]) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
	return h
}

// heapPop removes the least element of h, a binary min-heap by less (not
// empty), and returns it and the heap. The slot it frees is zeroed, so
// that the heap's array keeps nothing of it reachable.
func heapPop[T any](h []T, less func(a, b *T) bool) (T, []T) {
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	var zero T
	h[n] = zero
	h = h[:n]
	for i := 0; ; {
		l, small := 2*i+1, i
		if l < n && less(&h[l], &h[small]) {
			small = l
		}
		if r := l + 1; r < n && less(&h[r], &h[small]) {
			small = r
		}
		if small == i {
			break
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
	return top, h
}
