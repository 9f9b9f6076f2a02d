package forwarder

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestParamHead checks that appendParamHead writes ` NAME="` with NAME in
// its SDName form (for a meta.* name: of what follows "meta.") whether the head comes from the cache, is built, or (its
// slot taken by another name) is written without the cache, and that short
// forms are counted on every use.
func TestParamHead(t *testing.T) {
	names := []string{"Severity", "caller_id", "a b", "x=y", `q"`, "]", "", strings.Repeat("n", 40), "ünï", "AuthorName",
		"meta.caller_id", "meta.a b", "meta.", "meta"}
	var e Encoder
	check := func(name string) {
		t.Helper()
		before := e.Stats().ShortNames
		got := string(e.appendParamHead(nil, name))
		written := strings.TrimPrefix(name, parser.MetaPrefix)
		if want := ` ` + parser.SDName(written) + `="`; got != want {
			t.Fatalf("appendParamHead(%q) = %q, want %q", name, got, want)
		}
		short := e.Stats().ShortNames - before
		if want := !parser.ValidSDName(written); short != map[bool]uint64{true: 1}[want] {
			t.Fatalf("appendParamHead(%q) counted %d short names, want short=%v", name, short, want)
		}
	}
	for range 3 {
		for _, n := range names {
			check(n)
			check(strings.Clone(n)) // same bytes at another address
		}
	}
	// Fill every slot, then names whose slot is taken still come out right.
	filled := 0
	for i := range e.paramHeads {
		if e.paramHeads[i].Load() != nil {
			filled++
		}
	}
	var keep []string // distinct addresses: a freed name's address is reused
	for i := 0; filled < headSlots && i < 1<<18; i++ {
		n := "k" + strconv.Itoa(i)
		keep = append(keep, n)
		if e.paramHeads.slot(n).Load() == nil {
			filled++
		}
		check(n)
	}
	if filled != headSlots {
		t.Fatalf("filled %d of %d slots", filled, headSlots)
	}
	for _, n := range names {
		check(strings.Clone(n))
	}
	// Cached names cost no allocation.
	dst := make([]byte, 0, 64)
	n := keep[1]
	if allocs := testing.AllocsPerRun(100, func() { dst = e.appendParamHead(dst[:0], n) }); allocs != 0 {
		t.Errorf("cached head: %v allocs, want 0", allocs)
	}
}

// TestParamHeadConcurrent encodes distinct names from several goroutines
// at once (run with -race).
func TestParamHeadConcurrent(t *testing.T) {
	var e Encoder
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				n := "g" + strconv.Itoa(g) + "_" + strconv.Itoa(i%700)
				if got, want := string(e.appendParamHead(nil, n)), " "+n+`="`; got != want {
					t.Errorf("appendParamHead(%q) = %q, want %q", n, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
