// Package agent wires the pieces of gitlab-syslog together: one tailer per
// source file, the parser, optional GeoIP enrichment, the syslog encoder and
// one forwarder shared by all sources, plus the metrics endpoint and the
// Audit Event Streaming receiver.
//
// # Data and acknowledgements
//
// Each source takes batches of lines from its tailer and spreads them over
// a few encode workers (pipeline.workers, default min(2, GOMAXPROCS)). A
// worker parses every line of a batch into its own reused parser.Record,
// maps it to a forwarder.Message (forwarder.Message.FromRecord, the same
// mapping as the send command; a line that does not parse is sent raw,
// without STRUCTURED-DATA, and counted) and encodes it into the slot's
// reused forwarder.Batch. A sender goroutine hands the encoded batches to
// the forwarder in the order the tailer produced them, whatever order the
// workers finish in, so lines leave in file order. Nothing is sent on a
// channel per line and nothing is allocated per line.
//
// The forwarder calls the batch's acknowledgement once every message in it
// was written to the transport. Only then does the agent commit the tailer
// batch, which moves the file's checkpoint past its last line, and recycle
// both batches; batches are acknowledged, and so committed, in file order. Each source owns a fixed number of batch slots; while the
// collector is down the forwarder's queue fills, Send blocks, the slots run
// out, the source stops taking batches and the tailer stops reading:
// backpressure all the way to the file.
//
// # Delivery
//
// Delivery is at least once. Checkpoints advance only on acknowledgement, so
// after a crash (or SIGKILL) the lines after the last checkpoint are read
// again: at most the unacknowledged window (the slots of each source plus the
// tailer's checkpoint interval) is sent twice. The forwarder also writes
// unacknowledged messages again after a reconnect; it counts them, and the
// agent exports the count as gitlab_syslog_duplicates_total.
package agent
