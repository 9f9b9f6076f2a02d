// Package agent wires the pieces of gitlab-syslog together: one tailer per
// source file, the line-to-message mapping (parser, optional GeoIP
// enrichment), the syslog encoder and one forwarder shared by all sources,
// plus the detection engine, the metrics endpoint and the Audit Event
// Streaming receiver.
//
// # The data flow
//
// One line from the file to the socket, and its acknowledgement back to the
// checkpoint (the package or file doing each step in parentheses):
//
//	GitLab log file           GitLab Audit Event Streaming (HTTP POST)
//	      │                       │  internal/streaming: check the token, dedupe,
//	      │                       ▼  append one line per event, fsync, answer 200
//	      │                   spool file in state_dir (an audit source like the others)
//	      ▼                       │
//	tailer.Tailer  ◀──────────────┘   (tailer) one per source; its own buffered reader;
//	      │                           inotify or polling only says "grew" or "rotated"
//	      │ tailer.Batch: lines, their end offsets, the lines cut to max_line_bytes
//	      ▼
//	dispatch        (pipeline.go)     takes a free slot; none free: the tailer waits;
//	      │ slot                      container formats: hands on a line's parts the
//	      │                           batch before left pending (source.go carryOver),
//	      │                           and where they begin, the batch's hold
//	      ▼
//	workers 1..N    (pipeline.go)     container formats first unwrap (unwrap.go,
//	      │                           internal/container): CRI/Docker record, parts
//	      │                           joined, gitlab-logger envelope, subcomponent;
//	      │                           per line mapping.Mapper.Map (internal/mapping):
//	      │                           parse, columns and GeoIP as STRUCTURED-DATA, or
//	      │                           the line raw; Encoder.Append into the slot's
//	      │                           forwarder.Batch; lines a rule wants become events
//	      ▼
//	send            (pipeline.go)     slots in file order; the detection engine
//	      │                           (internal/detect) takes their events, and its
//	      │                           alerts join the same batch
//	      ▼
//	sink            (sink.go)         forwarder.Forwarder (forwarder): bounded queue,
//	      │                           writer, udp/tcp/tls/unix socket; or stdout
//	      │ ack(nil): every message of the batch was written to the transport
//	      ▼
//	slot.acked      (source.go)       Tailer.Commit: the position passes the batch's
//	      │                           last line (CommitHeld: stays at the hold);
//	      │                           Tailer.Release; the slot is free again
//	      ▼
//	checkpoint store (tailer/checkpoint)  written every checkpoint_interval and at
//	                                  stop: temporary file, fsync, rename, dir fsync
//
// # Data and acknowledgements
//
// Each source takes batches of lines from its tailer and spreads them over
// a few encode workers (pipeline.workers, default min(2, GOMAXPROCS)). A
// worker maps every line of a batch with its own mapping.Mapper into its
// own reused parser.Record and forwarder.Message (the same mapping as the
// send command: a line that does not parse, or that the tailer cut to
// max_line_bytes, is sent raw, without STRUCTURED-DATA, and counted) and
// encodes it into the slot's reused forwarder.Batch. A sender goroutine hands the encoded batches to
// the forwarder in the order the tailer produced them, whatever order the
// workers finish in, so lines leave in file order. Nothing is sent on a
// channel per line and nothing is allocated per line.
//
// The forwarder calls the batch's acknowledgement once every message in it
// was written to the transport. Only then does the agent commit the tailer
// batch, which moves the file's checkpoint past its last line, and recycle
// both batches; batches are acknowledged, and so committed, in file order.
// Each source owns a fixed number of batch slots; while the collector is
// down the forwarder's queue fills, Send blocks, the slots run
// out, the source stops taking batches and the tailer stops reading:
// backpressure all the way to the file.
//
// # Detections
//
// With detections on (the default; internal/detect, configured by the
// detections block), each worker asks the engine whether a rule wants the
// record it parsed (one lookup, no allocation on a miss) and makes events
// of the wanted ones in its slot's arena (no allocation either: the arena
// is reused once the engine processed the slot). The sender, which takes
// slots in file order, hands a slot's events to the engine just before it
// sends the slot, and the alerts they raise (APP-NAME GitLab-Detections)
// are encoded into the same forwarder batch after the lines: they are
// acknowledged together, so a line's checkpoint passes it only once its
// alerts were delivered. The engine's state is saved under
// state_dir/detect/ every state_save_interval and at shutdown, but only
// while no alert waits for its acknowledgement, with how far each source
// was considered; at start, the lines the checkpoints passed after the last
// save are folded again without alerting (catch-up), so a restart neither
// loses nor doubles a count (see detector). At shutdown, after the sources
// stopped, the final save waits at most shutdownSaveWait (1 s) for the
// alerts in flight and is skipped when they are still unacknowledged; a
// periodic save in progress gives way at once. A save that fails is
// logged once while it fails the same way, and a save skipped for alerts
// in flight once while they wait (saveLog). The lines of the streaming
// spool are events of origin stream. With detections off the workers make
// one nil check.
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
