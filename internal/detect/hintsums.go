package detect

// hintSums are the sums (HintSum) of the values of a line's hint columns
// (Engine.HintColumns), that of the k-th column in bits 32k to 32k+31 (0
// where the column is absent or empty), when ok: a recordWanter that is
// the engine's hinter computes them while it looks the line's users up
// (see Wanter.HintSums).
type hintSums struct {
	v  uint64
	ok bool
}

// HintSum returns the sum Wanter.HintSums gives the value v of a hint
// column: never 0, so that 0 can stand for an absent column. A line that
// a hint of WantHints makes wanted has the hint as the value of a hint
// column, so that the sum of the hint is the sum of that column; the sums
// of other values match it only by collision (one in 2^32).
func HintSum(v string) uint32 { return hintSum(valueHash(v)) }

// hintSum is HintSum of a value whose valueHash is h.
func hintSum(h uint64) uint32 { return uint32(h) | 1 }
