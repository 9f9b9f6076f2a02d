package streaming

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
)

// BenchmarkNormalize measures body validation and compaction (no I/O).
func BenchmarkNormalize(b *testing.B) {
	body := []byte(payloadFalco)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, _, err := normalize(body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// benchPost posts events with unique ids over loopback HTTP, each answered
// after its fsync, from parallelism goroutines per CPU.
func benchPost(b *testing.B, parallelism int) {
	tr := start(b, Config{})
	tmpl := []byte(payloadMR88509)
	var next atomic.Int64
	b.ReportAllocs()
	b.SetBytes(int64(len(tmpl)))
	b.SetParallelism(parallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
		var body []byte
		for pb.Next() {
			id := next.Add(1)
			body = append(body[:0], `{"id":`...)
			body = strconv.AppendInt(body, id, 10)
			body = append(body, tmpl[len(`{"id":1653461355`):]...)
			req, _ := http.NewRequest(http.MethodPost, tr.url, bytes.NewReader(body))
			req.Header.Set(TokenHeader, tokenA)
			req.Header.Set("Content-Type", formType)
			resp, err := client.Do(req)
			if err != nil {
				panic(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				panic(fmt.Sprint("status ", resp.StatusCode))
			}
		}
	})
	b.StopTimer()
	s := tr.Stats()
	b.ReportMetric(float64(s.Accepted)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(s.Accepted)/float64(max(s.Syncs, 1)), "events/fsync")
}

// BenchmarkPost is one client posting event after event.
func BenchmarkPost(b *testing.B) { benchPost(b, 1) }

// BenchmarkPostParallel is 16 concurrent clients per CPU, sharing fsyncs.
func BenchmarkPostParallel(b *testing.B) { benchPost(b, 16) }
