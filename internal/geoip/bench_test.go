package geoip

import (
	"strconv"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// BenchmarkAppendFieldsHit measures the hot path: an address seen before.
func BenchmarkAppendFieldsHit(b *testing.B) {
	db, _, _ := openTestDB(b, true)
	ip := []byte("81.2.69.142, 10.0.0.1")
	dst := make([]parser.Field, 0, 16)
	dst = db.AppendFields(dst, ip)
	if len(dst) != 6 {
		b.Fatalf("got %d fields, want 6", len(dst))
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(ip)))
	b.ResetTimer()
	for b.Loop() {
		dst = db.AppendFields(dst[:0], ip)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkAppendFieldsHitParallel is the hot path from several goroutines.
func BenchmarkAppendFieldsHitParallel(b *testing.B) {
	db, _, _ := openTestDB(b, true)
	ip := []byte("2a02:c7c::1")
	db.AppendFields(nil, ip)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		dst := make([]parser.Field, 0, 16)
		for pb.Next() {
			dst = db.AppendFields(dst[:0], ip)
		}
	})
}

// BenchmarkAppendFieldsMiss measures database lookups: every address is new
// to the cache (the addresses cycle through more than CacheSize values).
func BenchmarkAppendFieldsMiss(b *testing.B) {
	db, _, _ := openTestDB(b, true)
	ips := make([][]byte, 4*CacheSize)
	for i := range ips {
		ips[i] = []byte("2a02:c7c::" + strconv.FormatInt(int64(i), 16))
	}
	dst := make([]parser.Field, 0, 16)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		dst = db.AppendFields(dst[:0], ips[i%len(ips)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}
