package aggregator

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/mapping"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestAggregatorCapacity measures one aggregator process: node agents'
// messages (generated GitLab lines, 70% access, 20% application, 10%
// audit, from 8 nodes, encoded as a node agent encodes them) are sent over
// RELP as fast as the aggregator acknowledges them; the aggregator spools
// them, parses each MSG again, runs the detection rules on the merged
// stream and forwards everything over TCP to a counting collector. It
// reports messages/s acknowledged (received and fsynced) and messages/s
// at the collector (received, parsed, evaluated and forwarded), and the
// aggregator's CPU time per million messages. The sender and the collector
// run in the test process, on the same machine.
//
// It runs only when AGGREGATOR_CAPACITY is set to the number of messages:
//
//	AGGREGATOR_CAPACITY=300000 go test -run TestAggregatorCapacity -v ./internal/testing/aggregator/
func TestAggregatorCapacity(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("AGGREGATOR_CAPACITY"))
	if n <= 0 {
		t.Skip("set AGGREGATOR_CAPACITY to the number of messages to measure the aggregator's capacity")
	}
	batches := nodeBatches(t, n, 500)
	dir := t.TempDir()
	var got, alerts atomic.Int64
	col, err := syslogtest.Listen("127.0.0.1:0", func(m []byte) {
		if bytes.Contains(m, []byte(" GitLab-Detections ")) {
			alerts.Add(1)
		} else {
			got.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	port := syslogtest.FreeTCPPort(t)
	cfg := writeFile(t, filepath.Join(dir, "aggregator.yaml"), fmt.Sprintf(`state_dir: %s/state
hostname: aggregator
forward: {url: "tcp://%s"}
inputs:
  - listen: relp://127.0.0.1:%d
detections: {enabled: true}
`, dir, col.Addr(), port))
	agg := start(t, "aggregator", cfg)
	fw, err := forwarder.New(forwarder.Config{URL: fmt.Sprintf("relp://127.0.0.1:%d", port), RELPWindow: 1024, MaxAttempts: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var acked sync.WaitGroup
	var failed atomic.Int64
	t0 := time.Now()
	for i := range batches {
		acked.Add(1)
		if err := fw.Send(ctx, &batches[i], func(err error) {
			if err != nil {
				failed.Add(1)
			}
			acked.Done()
		}); err != nil {
			t.Fatal(err)
		}
	}
	acked.Wait()
	tAck := time.Since(t0)
	for deadline := time.Now().Add(5 * time.Minute); got.Load() < int64(n) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	tAll := time.Since(t0)
	fw.Close(ctx)
	agg.Cmd.Process.Signal(syscall.SIGTERM)
	<-agg.Done()
	if failed.Load() > 0 || got.Load() < int64(n) {
		t.Fatalf("%d batches failed, %d of %d messages at the collector\n%s", failed.Load(), got.Load(), n, syslogtest.Tail(agg.Stderr.String(), 3000))
	}
	cpu := agg.Cmd.ProcessState.UserTime() + agg.Cmd.ProcessState.SystemTime()
	t.Logf("%d messages from 8 nodes: acknowledged (spooled) at %.0f msg/s; at the collector (parsed, evaluated by the detection rules, forwarded) at %.0f msg/s; aggregator CPU %.2f s (%.1f s per million messages); %d alerts",
		n, float64(n)/tAck.Seconds(), float64(n)/tAll.Seconds(), cpu.Seconds(), cpu.Seconds()*1e6/float64(n), alerts.Load())
}

// nodeBatches returns n node messages in forwarder batches of size each.
func nodeBatches(t *testing.T, n, size int) []forwarder.Batch {
	t.Helper()
	enc := &forwarder.Encoder{}
	types := []parser.Type{parser.TypeAccess, parser.TypeAccess, parser.TypeAccess, parser.TypeAccess, parser.TypeAccess,
		parser.TypeAccess, parser.TypeAccess, parser.TypeApplication, parser.TypeApplication, parser.TypeAudit}
	gens := map[parser.Type]*loadgen.Generator{}
	for _, typ := range types {
		g, err := loadgen.NewGenerator(typ, uint64(typ))
		if err != nil {
			t.Fatal(err)
		}
		gens[typ] = g
	}
	var mappers [8]*mapping.Mapper
	for i := range mappers {
		mappers[i] = mapping.New(parser.TypeUnknown, nil, forwarder.RecordOptions{Facility: forwarder.Local7,
			Hostname: "node-" + strconv.Itoa(i+1), Now: time.Now()})
	}
	out := make([]forwarder.Batch, (n+size-1)/size)
	var rec parser.Record
	var msg forwarder.Message
	var line []byte
	for i := range n {
		typ := types[i%len(types)]
		line = gens[typ].AppendLine(line[:0])
		mp := mappers[i%len(mappers)]
		mp.SetType(typ)
		_ = mp.Map(line, false, &rec, &msg)
		out[i/size].Append(enc, &msg)
	}
	return out
}
