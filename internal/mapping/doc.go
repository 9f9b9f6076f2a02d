// Package mapping turns one GitLab log line into the RFC 5424 message that
// carries it. It is the one place that decides what goes into a message:
// the agent's pipeline (run) and the send command both map lines with a
// Mapper, so the two cannot drift.
//
// A line that parses becomes a message with its columns as STRUCTURED-DATA
// (forwarder.Message.FromRecord), followed by the GeoIP columns of its
// IPAddress when a database is open. Every other line is sent raw, without
// STRUCTURED-DATA (forwarder.Message.FromLine): a line that does not parse,
// a line of a type without a parser, and a line cut to max_line_bytes,
// whose last columns would be wrong (a GzipRatio "5.80" cut to "5.8"). MSG
// is always the line, byte for byte.
//
// The transport (framing, sockets, acknowledgements) is forwarder's.
package mapping
