package detect

import (
	"fmt"
	"testing"
)

// BenchmarkWanterMix measures Wanter.WantRules (the agent's parse
// workers' call) with every rule of the agent benchmark's detections=all
// on generated logs: ns/op is per line. It cycles over lines records
// parsed beforehand: 64 stay in the CPU's caches as the record the agent
// just parsed does; 1,000 do not all. With watch=empty the engine has
// seen no line (sentinel.impersonation watches no user); with
// watch=warm it first folds the mix's warmLines lines before those it
// cycles over, as the agent does, so that the rules hold the state they
// hold in a run (on the realistic audit mix the impersonation watch then
// holds about 50 users, and one line in twenty is of a watched user).
func BenchmarkWanterMix(b *testing.B) {
	for _, c := range mixCorpora {
		for _, warm := range []bool{false, true} {
			for _, n := range []int{64, 1000} {
				name := fmt.Sprintf("%s/watch=empty/lines=%d", c.name, n)
				if warm {
					name = fmt.Sprintf("%s/watch=warm/lines=%d", c.name, n)
				}
				b.Run(name, func(b *testing.B) { benchWanterMix(b, c, warm, n) })
			}
		}
	}
}

// warmLines is the number of lines BenchmarkWanterMix's watch=warm folds
// before it measures.
const warmLines = 150_000

// benchWanterMix is one case of BenchmarkWanterMix: WantRules over the
// last n of the lines generated, after folding the others when warm.
func benchWanterMix(b *testing.B, c mixCorpus, warm bool, n int) {
	e := mixEngine(b, nil)
	w := e.NewWanter()
	total := n
	if warm {
		total += warmLines
	}
	all, raws := mixLines(b, c, total)
	recs := all[total-n:]
	if warm {
		for i, r := range all[:total-n] {
			if e.Want(c.typ, r) {
				e.Process(NewEvent(r, raws[i], "bench.log", OriginFile))
			}
		}
	}
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
	for _, r := range e.rules {
		if imp, ok := r.rule.(*impersonation); ok {
			b.ReportMetric(float64(imp.watch.keys.Load().len()), "watched")
		}
	}
}
