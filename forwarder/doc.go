// Package forwarder encodes parsed GitLab log records as syslog messages
// (RFC 5424, or RFC 3164 for old collectors) and sends them over UDP, TCP,
// TLS, a unix socket or RELP with a bounded queue, batching and
// reconnects.
//
// # Encoding
//
// A Message holds one syslog message; Message.FromRecord fills it from a
// parsed record and its raw line with the mapping the Microsoft Sentinel
// GitLab functions expect: facility local7, APP-NAME GitLab-Audit-Logs,
// GitLab-Application-Logs or GitLab-Access-Logs (GitLab-Auth-Logs for the
// Rack::Attack log, which has no Sentinel function), MSGID the log type, the
// parsed columns as STRUCTURED-DATA, and MSG the raw line byte for byte,
// without a byte order mark. The columns are params of the element
// DefaultSDID ("gitlab@32473") under their own names, except the meta.*
// columns (GitLab's Labkit context keys), which are params of the element
// DefaultMetaSDID ("meta@32473") under the name that follows "meta.": every
// column keeps the name the parser gave it (see parser.SDName).
// Encoder.Append writes it without allocating:
//
//	<190>1 2026-08-22T10:00:00.123456Z gitlab01 GitLab-Audit-Logs - audit [gitlab@32473 AuthorName="Jane"][meta@32473 caller_id="SessionsController#create"] {"author_name":"Jane",...}
//
// The encoder never produces an invalid message: header fields are clamped
// to their RFC 5424 length and to printable US-ASCII, an SD-ID or
// PARAM-NAME that is not a valid SD-NAME (never one from the parser) is
// written in its parser.SDName short form, SD values are escaped and
// repaired to valid UTF-8. Each change is counted (Encoder.Stats); none is
// silent.
//
// # Sending
//
// A Batch collects encoded messages, framed as they are appended (octet
// counting unless the batch was already sent to a Forwarder with newline
// framing or datagrams; see Batch). Forwarder.Send queues a batch for the
// Forwarder's single writer goroutine, blocking while the queue is full.
// The writer writes the buffers of the batches it holds as they are, in one
// writev for TCP, as soon as no other batch is queued (so batches coalesce
// under load), when Config.BufferSize bytes are pending, or, with a
// Config.FlushInterval, when that interval has passed; for datagram
// transports it sends one datagram per message. It runs a batch's ack
// callback only once the batch was delivered: for TCP and TLS on Linux,
// once the receiver's TCP acknowledged the batch's last byte (the writer
// reads the socket's unacknowledged byte count, SIOCOUTQ, after each write
// and on a short timer while batches are outstanding; for TLS it counts the
// bytes of the records under TLS); elsewhere, and for unix stream sockets,
// once all of its bytes were written to the socket.
// When a write fails, or the receiver has closed or reset the connection,
// the writer reconnects with capped exponential backoff and equal jitter
// (Config.MinBackoff), logging each failed attempt at warn and the
// connection that ends them at info ("forwarder: connected again", with
// how long the destination was unreachable and the failed attempts), and
// writes every unacknowledged batch again, in order.
// Receivers may then see some messages twice (counted as Stats.Resent);
// nothing is dropped while the Forwarder runs.
//
// RELP (relp://, relp+tls://; the Reliable Event Logging Protocol of
// rsyslog's imrelp, as librelp defines it) sends each message as a
// transaction the receiver answers; at most Config.RELPWindow are
// unanswered at a time, a batch is acknowledged once the receiver answered
// all its messages, and after a reconnect every unanswered message is sent
// again, in order, in a new session. The transport files are named for
// their subject: dial.go (connecting with backoff), datagram.go (datagrams
// and their truncation), writer.go (the event loop), acked.go (TCP
// acknowledgement), relp*.go (RELP).
//
// Plain TCP has no application-level acknowledgement: what the receiver's
// TCP acknowledged but the receiver had not read when it died is lost (its
// receive buffer, at most a few hundred kilobytes). The writer narrows the
// window further by checking the socket for a close or reset before each
// write.
package forwarder
