//go:build !race

package detect

const rulesRace = false
