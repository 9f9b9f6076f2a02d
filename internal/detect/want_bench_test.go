package detect

import (
	"fmt"
	"testing"
)

// BenchmarkWanterMix measures Wanter.WantRules (the agent's parse
// workers' call) with every rule of the agent benchmark's detections=all
// on generated logs: ns/op is per line. It cycles over lines records
// parsed beforehand: 64 stay in the CPU's caches as the record the agent
// just parsed does; 1,000 do not all.
func BenchmarkWanterMix(b *testing.B) {
	for _, c := range mixCorpora {
		for _, n := range []int{64, 1000} {
			b.Run(fmt.Sprintf("%s/lines=%d", c.name, n), func(b *testing.B) {
				e := allRulesEngine(b, false)
				w := e.NewWanter()
				recs := parseMix(b, c, n)
				b.ReportAllocs()
				cpu0 := processCPU()
				i := 0
				for b.Loop() {
					w.WantRules(c.typ, recs[i])
					if i++; i == len(recs) {
						i = 0
					}
				}
				b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/line")
			})
		}
	}
}
