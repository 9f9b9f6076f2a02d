package mapping

import (
	"errors"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Why Map sent a line raw, besides the parser's own errors.
var (
	// ErrCut: the line was cut to max_line_bytes; it is not parsed.
	ErrCut = errors.New("mapping: line cut to max_line_bytes, sent raw")
	// ErrNoParser: the line's type has no parser (or was not recognised).
	ErrNoParser = errors.New("mapping: no parser for the line's type, sent raw")
)

// Mapper maps the lines of one log type, or of any type detected per line,
// to messages. It keeps one parser per type and reuses it, so Map
// allocates nothing. A Mapper is not safe for concurrent use: give each
// goroutine its own (they may share the geoip.DB).
type Mapper struct {
	// Opts are the message's header fields. The caller sets Opts.Now, the
	// time the line was read, before Map (once per batch is enough).
	Opts    forwarder.RecordOptions
	typ     parser.Type
	geo     *geoip.DB
	parsers [parser.NumTypes]parser.Parser // by type, made on first use
	params  []parser.Field                 // a record's columns and its GeoIP columns, reused
}

// New returns a Mapper for lines of type typ; parser.TypeUnknown detects
// each line's type with parser.Detect. geo may be nil (no GeoIP columns).
func New(typ parser.Type, geo *geoip.DB, opts forwarder.RecordOptions) *Mapper {
	return &Mapper{Opts: opts, typ: typ, geo: geo}
}

// SetType sets the type of the lines Map is given from now on;
// parser.TypeUnknown detects each line's type. send uses it per file.
func (m *Mapper) SetType(typ parser.Type) { m.typ = typ }

// Map fills msg for line. cut says the line was cut to max_line_bytes.
// When line parses (and was not cut), it is parsed into rec and msg carries
// rec's columns and the GeoIP columns of its IPAddress, and Map returns
// nil. Otherwise msg carries line raw, without STRUCTURED-DATA, and Map
// returns why: ErrCut, ErrNoParser or the parser's error. msg and rec alias
// line; both are reused buffers of the caller. msg.Params is rec.Fields
// itself, or with GeoIP columns a buffer of the Mapper's, valid until the
// next Map.
func (m *Mapper) Map(line []byte, cut bool, rec *parser.Record, msg *forwarder.Message) error {
	t := m.typ
	if t == parser.TypeUnknown {
		t = parser.Detect(line)
	}
	err := ErrCut
	if !cut {
		err = m.parse(t, line, rec)
	}
	if err != nil {
		msg.FromLine(t, line, &m.Opts)
		return err
	}
	msg.FromRecord(rec, line, &m.Opts) // msg.Params is rec.Fields
	if m.geo != nil {
		if ip, ok := rec.Get(parser.ColIPAddress); ok {
			m.params = append(m.params[:0], rec.Fields...)
			m.params = m.geo.AppendFields(m.params, ip)
			msg.Params = m.params
		}
	}
	return nil
}

// parse parses line of type t into rec with the Mapper's parser for t.
func (m *Mapper) parse(t parser.Type, line []byte, rec *parser.Record) error {
	if t <= parser.TypeUnknown || t >= parser.NumTypes {
		return ErrNoParser
	}
	p := m.parsers[t]
	if p == nil {
		if p = parser.New(t); p == nil {
			return ErrNoParser
		}
		m.parsers[t] = p
	}
	return p.Parse(line, rec)
}
