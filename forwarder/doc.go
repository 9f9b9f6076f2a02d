// Package forwarder encodes parsed GitLab log records as syslog messages
// (RFC 5424, or RFC 3164 for old collectors) and sends them over UDP, TCP,
// TLS or a unix socket with a bounded queue, batching and reconnects.
//
// CONTRACT (to be implemented; the agent in internal/ codes against it):
//
//	type Facility uint8           // Local7 = 23 is the default
//	type Severity uint8           // Emergency=0 ... Debug=7
//	func SeverityFromLabel(label []byte) Severity  // Ruby Logger labels DEBUG..UNKNOWN
//	func SeverityFromStatus(code int) Severity      // access log rule, documented
//
//	type Message struct {
//		Facility Facility
//		Severity Severity
//		Time     time.Time      // event time; zero => NILVALUE
//		Hostname string
//		AppName  string         // GitLab-Audit-Logs, GitLab-Application-Logs, GitLab-Access-Logs
//		ProcID   string         // "" => "-"
//		MsgID    string         // the record type: "audit", "application", "access"
//		Params   []parser.Field // STRUCTURED-DATA params, in order
//		Msg      []byte         // the raw line, byte for byte, no newline, no BOM
//	}
//
//	type Encoder struct { Format Format; SDID string; NoSD bool; ... }
//	func (e *Encoder) Append(dst []byte, m *Message) []byte   // 0 allocs
//
//	type Batch struct { ... }                  // encoded messages + boundaries, reusable
//	func (b *Batch) Append(e *Encoder, m *Message)
//	func (b *Batch) Len() int
//	func (b *Batch) Reset()
//
//	func New(cfg Config) (*Forwarder, error)   // cfg.URL: udp:// tcp:// tls:// unix://
//	func (f *Forwarder) Send(ctx context.Context, b *Batch, ack func(error)) error
//	    // enqueues b (blocks when the bounded queue is full: backpressure);
//	    // ack(nil) runs after every message of b was written to the transport
//	    // (flushed); the caller must not touch b until ack has run.
//	func (f *Forwarder) Close(ctx context.Context) error   // flushes what is queued
//	func (f *Forwarder) Stats() Stats
package forwarder
