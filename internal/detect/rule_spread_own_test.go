package detect

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestSpreadValuesOwned checks spreadState's value buffer (own): a value
// observe keeps shares no byte with the event's line (the caller
// overwrites it), the values kept are the last keep distinct ones in
// order, the buffer holds at most 1.5 times the bytes of keep+1 values, and adding a new value allocates far less than once per value.
func TestSpreadValuesOwned(t *testing.T) {
	const keep, window = 11, int64(3600e9)
	var st spreadState
	line := make([]byte, 32)
	var ref []string
	value := func(i int) string { // a value in the caller's reused line
		b := strconv.AppendInt(append(line[:0], "10.0."...), int64(i/256%256), 10)
		b = strconv.AppendInt(append(b, '.'), int64(i%256), 10)
		return unsafe.String(&b[0], len(b))
	}
	for i := range 500 {
		v := value(i)
		ref = append(ref, strings.Clone(v))
		if !st.observe(v, int64(i+1)*1e9, window, keep) {
			t.Fatalf("value %d refused", i)
		}
		clear(line)
		if i%7 == 0 && i > 0 { // a value seen again: refreshed, not copied
			v := value(i - 1)
			st.observe(v, int64(i+1)*1e9+1, window, keep)
			clear(line)
			p := fmt.Sprintf("10.0.%d.%d", (i-1)/256, (i-1)%256)
			at := slices.Index(ref, p)
			ref = append(slices.Delete(ref, at, at+1), p)
		}
		if len(ref) > keep {
			ref = ref[len(ref)-keep:]
		}
		got, live := make([]string, len(st.Seen)), 0
		for j, s := range st.Seen {
			got[j] = s.V
			live += len(s.V)
		}
		if !slices.Equal(got, ref) {
			t.Fatalf("after value %d: seen %q, want %q", i, got, ref)
		}
		// At a move, the buffer gets 1.5 times the bytes of the values
		// kept and the new one (at most keep+1 values of at most 10 bytes).
		if st.vals != nil && cap(st.vals.b) > 3*(keep+1)*10/2 {
			t.Fatalf("after value %d: %d bytes of buffer for %d bytes of values", i, cap(st.vals.b), live)
		}
	}
	i := 1000
	if n := testing.AllocsPerRun(200, func() {
		i++
		st.observe(value(i), int64(i)*1e9, window, keep)
	}); n > 0.25 {
		t.Errorf("%v allocations per new value, want at most 0.25", n)
	}
}
