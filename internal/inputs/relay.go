package inputs

import (
	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/internal/mapping"
	"github.com/gitlab-syslog/gitlab-syslog/internal/rfc5424"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Outcome says what Relay.Map made of a spool line.
type Outcome uint8

// The outcomes.
const (
	// Parsed: a gitlab-syslog APP-NAME whose MSG parsed; rec and msg are
	// filled as on the node.
	Parsed Outcome = iota + 1
	// Raw: a gitlab-syslog APP-NAME whose MSG did not parse (or was cut);
	// msg carries MSG raw, as the node sends such a line.
	Raw
	// Other: any other message, to be forwarded unchanged (Relay.Other).
	Other
	// Dropped: any other message, dropped (other: drop).
	Dropped
)

// Relay maps the spool lines of an input to messages. A message whose
// APP-NAME is one of gitlab-syslog's (GitLab-Audit-Logs,
// GitLab-Application-Logs, GitLab-Access-Logs, GitLab-Auth-Logs) has its
// MSG, the raw GitLab line, parsed again by that type's parser, so that
// the aggregator's records and STRUCTURED-DATA are the node's; its
// HOSTNAME and TIMESTAMP are kept. A Relay is not safe for concurrent use.
type Relay struct {
	mp   *mapping.Mapper
	drop bool
	buf  []byte
	h    rfc5424.Header
	raw  []byte
	// hosts interns the HOSTNAMEs seen, so that a line costs no string
	// allocation: an aggregator sees a few nodes.
	hosts map[string]string
}

// maxHosts bounds Relay.hosts; past it the map starts afresh.
const maxHosts = 4096

// NewRelay returns a Relay whose messages get opts (facility, APP-NAME
// override) and the GeoIP columns of geo (nil: none); other is
// OtherForward or OtherDrop.
func NewRelay(geo *geoip.DB, opts forwarder.RecordOptions, other string) *Relay {
	return &Relay{mp: mapping.New(parser.TypeUnknown, geo, opts), drop: other == OtherDrop}
}

// typeOf returns the log type of a gitlab-syslog APP-NAME, or
// parser.TypeUnknown.
func typeOf(app []byte) parser.Type {
	switch string(app) {
	case forwarder.AppNameAudit:
		return parser.TypeAudit
	case forwarder.AppNameApplication:
		return parser.TypeApplication
	case forwarder.AppNameAccess:
		return parser.TypeAccess
	case forwarder.AppNameAuth:
		return parser.TypeAuth
	}
	return parser.TypeUnknown
}

// Map maps one spool line (without its newline; cut says the tailer cut
// it). For Parsed and Raw, msg is filled (aliasing line and the Relay's
// buffers until the next Map) and err is the parser's error for Raw. For
// Other, Message returns the bytes to forward unchanged.
func (r *Relay) Map(line []byte, cut bool, rec *parser.Record, msg *forwarder.Message) (Outcome, error) {
	r.h = rfc5424.Header{}
	m, buf, err := DecodeLine(line, r.buf)
	r.buf = buf
	if err != nil {
		m = line // not ours: forwarded as it is in the spool
	}
	r.raw = m
	if err != nil || cut || rfc5424.ParseHeader(m, &r.h) != nil {
		return r.other()
	}
	t := typeOf(r.h.AppName)
	if t == parser.TypeUnknown {
		return r.other()
	}
	body := m[r.h.Msg:]
	r.mp.SetType(t)
	r.mp.Opts.Now = r.h.Time
	r.mp.Opts.Hostname = r.hostname()
	perr := r.mp.Map(body, false, rec, msg)
	msg.Time = r.h.Time
	if perr != nil {
		return Raw, perr
	}
	return Parsed, nil
}

func (r *Relay) other() (Outcome, error) {
	if r.drop {
		return Dropped, nil
	}
	return Other, nil
}

// Message returns the message of the last line mapped, as received, with
// the offsets of its STRUCTURED-DATA and MSG (see forwarder.Batch.AppendRaw;
// len for a message that is not RFC 5424).
func (r *Relay) Message() (m []byte, sd, msg int) {
	if rfc5424.ParseHeader(r.raw, &r.h) != nil {
		return r.raw, len(r.raw), len(r.raw)
	}
	return r.raw, r.h.SD, r.h.Msg
}

// Alert reports whether the last line mapped (Other or Dropped) is a
// detection alert (APP-NAME forwarder.AppNameDetections) of a node that
// runs the rules itself, and its HOSTNAME.
func (r *Relay) Alert() (host string, ok bool) {
	if string(r.h.AppName) != forwarder.AppNameDetections {
		return "", false
	}
	return r.hostname(), true
}

// Host returns the HOSTNAME of the last line mapped ("" for none).
func (r *Relay) Host() string { return r.hostname() }

func (r *Relay) hostname() string {
	if r.h.Hostname == nil {
		return ""
	}
	if s, ok := r.hosts[string(r.h.Hostname)]; ok {
		return s
	}
	if r.hosts == nil || len(r.hosts) >= maxHosts {
		r.hosts = make(map[string]string)
	}
	s := string(r.h.Hostname)
	r.hosts[s] = s
	return s
}

// Legacy3164 reports whether the last line mapped (Other or Dropped) is an
// RFC 3164 message of a gitlab-syslog node (see Legacy3164Host), and its
// HOSTNAME. Such a message is not re-parsed: aggregation needs RFC 5424.
func (r *Relay) Legacy3164() (host []byte, ok bool) { return Legacy3164Host(r.raw) }
