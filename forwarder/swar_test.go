package forwarder

import "testing"

// TestSWARMatchesTables checks the word-at-a-time scans against the
// byte tables for every byte value at every position, on clean and dirty
// backgrounds.
func TestSWARMatchesTables(t *testing.T) {
	for _, bg := range []byte{'a', 'Z', '0', '~', '!'} {
		for pos := range 8 {
			for c := range 256 {
				var p [8]byte
				for i := range p {
					p[i] = bg
				}
				p[pos] = byte(c)
				if got, want := valueSpecial8(load8(p[:])) != 0, sdValueSpecial[c]; got != want {
					t.Errorf("valueSpecial8 bg %q pos %d byte %#x = %v, want %v", bg, pos, c, got, want)
				}
				if got, want := nameBad8(load8s(string(p[:]))) != 0, sdNameBad[c]; got != want {
					t.Errorf("nameBad8 bg %q pos %d byte %#x = %v, want %v", bg, pos, c, got, want)
				}
			}
		}
	}
}
