package forwarder

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"

	"github.com/gitlab-syslog/gitlab-syslog/internal/collect"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// benchLine is a real-shaped audit_json.log line (about 600 bytes).
const benchLine = `{"severity":"INFO","time":"2026-08-22T10:00:00.123Z","correlation_id":"01J5Z8R3K6T0M4QF2W9XH7C1BD","meta.caller_id":"Projects::MembersController#create","meta.remote_ip":"203.0.113.7","meta.feature_category":"groups_and_projects","meta.user":"jane","meta.user_id":42,"meta.project":"acme/widgets","meta.root_namespace":"acme","meta.client_id":"user/42","author_id":42,"author_name":"Jane Doe","entity_id":7,"entity_type":"Project","target_id":99,"target_type":"User","target_details":"John \"JJ\" Smith","ip_address":"203.0.113.7","entity_path":"acme/widgets","custom_message":"Added member","add":"user_access","as":"Developer"}`

func benchMessage() Message {
	return Message{
		Facility: Local7, Severity: Informational, Time: t0,
		Hostname: "gitlab01.example.com", AppName: AppNameAudit, MsgID: "audit",
		Params: []parser.Field{
			{Name: "Severity", Value: []byte("INFO")},
			{Name: "EventTime", Value: []byte("2026-08-22T10:00:00.123Z")},
			{Name: "CorrelationID", Value: []byte("01J5Z8R3K6T0M4QF2W9XH7C1BD")},
			{Name: "AuthorID", Value: []byte("42")},
			{Name: "AuthorName", Value: []byte("Jane Doe")},
			{Name: "EntityID", Value: []byte("7")},
			{Name: "EntityType", Value: []byte("Project")},
			{Name: "TargetID", Value: []byte("99")},
			{Name: "TargetType", Value: []byte("User")},
			{Name: "TargetDetails", Value: []byte(`John "JJ" Smith`)},
			{Name: "IPAddress", Value: []byte("203.0.113.7")},
			{Name: "EntityPath", Value: []byte("acme/widgets")},
			{Name: "CustomMessage", Value: []byte("Added member")},
			{Name: "meta.caller_id", Value: []byte("Projects::MembersController#create")},
		},
		Msg: []byte(benchLine),
	}
}

func BenchmarkEncode(b *testing.B) {
	var e Encoder
	m := benchMessage()
	buf := make([]byte, 0, 4096)
	buf = e.Append(buf, &m)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf = e.Append(buf[:0], &m)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkEncodeRecord encodes benchLine as the agent does: parsed by the
// audit parser (22 columns, 8 of them meta.* keys) and mapped by FromRecord.
func BenchmarkEncodeRecord(b *testing.B) {
	benchEncodeRecord(b, new(parser.Audit), benchLine)
}

// benchAccessLine is an NGINX access log line as Omnibus GitLab writes it.
const benchAccessLine = `81.132.193.248 - jdoe [31/May/2024:14:00:00 +0000] "POST /api/v4/projects/876/repository/files/README.md?ref=main HTTP/1.1" 200 16004 "https://gitlab.example.com/flightjs/Flight" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36" 3.30`

// BenchmarkEncodeAccess encodes an access log line as the agent does:
// parsed by the access parser (12 columns) and mapped by FromRecord.
func BenchmarkEncodeAccess(b *testing.B) {
	benchEncodeRecord(b, new(parser.Access), benchAccessLine)
}

func benchEncodeRecord(b *testing.B, p parser.Parser, line string) {
	var e Encoder
	var rec parser.Record
	if err := p.Parse([]byte(line), &rec); err != nil {
		b.Fatal(err)
	}
	var m Message
	o := DefaultRecordOptions("gitlab01.example.com")
	m.FromRecord(&rec, []byte(line), &o)
	buf := e.Append(make([]byte, 0, 4096), &m)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf = e.Append(buf[:0], &m)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func BenchmarkBatchAppend(b *testing.B) {
	var e Encoder
	m := benchMessage()
	var batch Batch
	b.ReportAllocs()
	for b.Loop() {
		if batch.Len() == 1024 {
			batch.Reset()
		}
		batch.Append(&e, &m)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// countingCollector accepts one TCP connection on 127.0.0.1 (TLS when tc
// is not nil) and counts octet-counted frames without parsing them.
func countingCollector(b *testing.B, tc *tls.Config) (url string, frames func() int64, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	scheme := "tcp://"
	if tc != nil {
		ln, scheme = tls.NewListener(ln, tc), "tls://"
	}
	var n atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		collect.ReadFrames(bufio.NewReaderSize(c, 1<<20), collect.DefaultMaxFrame, func([]byte) { n.Add(1) })
	}()
	return scheme + ln.Addr().String(), n.Load, func() { ln.Close(); <-done }
}

func BenchmarkTCPLoopback(b *testing.B) {
	url, frames, stop := countingCollector(b, nil)
	defer stop()
	benchLoopback(b, Config{URL: url}, frames)
}

func BenchmarkTLSLoopback(b *testing.B) {
	certs, err := testcert.WriteTestCerts(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	tc, err := collect.ServerTLS(certs.ServerCert, certs.ServerKey, "")
	if err != nil {
		b.Fatal(err)
	}
	url, frames, stop := countingCollector(b, tc)
	defer stop()
	benchLoopback(b, Config{URL: url, TLS: TLSConfig{CAFile: certs.CAFile}}, frames)
}

// benchLoopback sends b.N messages in batches of 512 through a Forwarder
// configured by cfg, refilling each of 8 batches after its ack, closes the
// Forwarder (which waits for the last acks) and, unless frames is nil,
// waits until frames counts them all at the receiver.
func benchLoopback(b *testing.B, cfg Config, frames func() int64) {
	e := &Encoder{}
	cfg.Encoder = e
	f, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	m := benchMessage()
	const per = 512
	// A ring of batches: each is refilled only after its ack.
	const ring = 8
	free := make(chan *Batch, ring)
	for range ring {
		free <- new(Batch)
	}
	ack := func(bt *Batch) func(error) {
		return func(err error) {
			if err != nil {
				b.Error(err)
			}
			free <- bt
		}
	}
	var size int
	b.ReportAllocs()
	b.ResetTimer()
	for sent := 0; sent < b.N; {
		bt := <-free
		bt.Reset()
		for j := 0; j < per && sent < b.N; j++ {
			bt.Append(e, &m)
			sent++
		}
		size = bt.Size() / bt.Len()
		if err := f.Send(context.Background(), bt, ack(bt)); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	for frames != nil && frames() < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	b.SetBytes(int64(size))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if st := f.Stats(); st.Messages != uint64(b.N) || st.Dropped != 0 {
		b.Fatalf("stats %+v, want %d messages", st, b.N)
	}
}
