// Package inputs receives syslog from the network for the aggregator role:
// the node agents forward to one gitlab-syslog, which runs the detections
// on the merged stream and forwards onward to the SIEM collector.
//
// A Server listens on one URL:
//
//   - tcp://host:port and tls://host:port: RFC 6587 framing, detected per
//     frame as rsyslog's imtcp does: a frame starting with a digit is octet
//     counted (MSG-LEN SP SYSLOG-MSG, RFC 6587 §3.4.1, RFC 5425), any other
//     frame runs to the next LF (§3.4.2), a CR just before that LF being
//     removed with it (CRLF line ends, as the file tailer removes it),
//     while an octet-counted frame is kept byte for byte;
//   - relp://host:port and relp+tls://host:port: RELP, the Reliable Event
//     Logging Protocol of rsyslog's imrelp (the server side of the
//     forwarder's relp:// destination): open and close handshake, and a
//     "rsp 200 OK" for every syslog transaction.
//
// TLS listeners serve the configured certificate and, with a client CA,
// require and verify client certificates (mutual TLS).
//
// # Durable before acknowledged
//
// Every received message is appended as one line to a spool file (see
// internal/spool) and the file is fsynced, in batches shared by all
// connections (group commit), before the message is acknowledged: over
// RELP the "rsp" is sent only after the sync that covers the transaction;
// over TCP, which has no acknowledgement, the connection is not read again
// until what was read is synced, so the TCP window closes on a sender that
// is faster than the disk. The agent follows the spool like any log file,
// with checkpoints, so a message acknowledged is never lost when the
// aggregator is killed, and what was not acknowledged is resent by RELP
// clients.
//
// The spool rotates at Config.SpoolMaxBytes (to <name>.1, replacing the
// older one) only once its reader committed a position in the current file
// (Server.SetRotateCheck): while the collector downstream is slow or down
// the spool grows instead of rotating unread messages away.
//
// A trailing LF of a message is dropped, as rsyslog does by default
// (parser.dropTrailingLFOnReception).
//
// A spool line is the syslog message as received when it starts with '<'
// and holds no LF (every message of a gitlab-syslog agent); any other
// message is written as '=' and its standard base64 encoding, so that any
// octets survive (DecodeLine reverses both).
//
// # Limits
//
// A message over Config.MaxMessageBytes is cut to that size (the rest is
// read and discarded, never held) and counted, as rsyslog does. A
// malformed frame ends its connection (counted; RELP clients reconnect and
// resend). A frame that is not a syslog message at all (no <PRI> at its
// start, or a NUL octet in it but after the header of an RFC 5424
// message that parses: random or binary data, another protocol) is
// dropped and counted as malformed, with a warning at most once a
// minute naming the sender and the frame's first bytes; the connection
// goes on (over RELP the transaction is answered, as resending would not
// help). Config.MaxConnections bounds the connections at once; more are
// closed at accept and counted. A connection that sends nothing for
// Config.IdleTimeout is closed, and a RELP client must complete the open
// handshake within the same time.
package inputs
