//go:build race

package detect

// rulesRace is true under the race detector, which makes the flood tests
// ten times slower: they then use fewer events.
const rulesRace = true
