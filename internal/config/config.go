// Package config loads and validates the gitlab-syslog agent's YAML
// configuration.
//
// Decoding is strict: an unknown key, a value of the wrong type or a
// duplicated key is an error that names the file and line, and suggests the
// key that was probably meant. After decoding, Resolve fills in defaults
// (state directory, hostname, the Omnibus log paths) and Validate reports
// every problem it finds, each with its line when the key was in the file.
//
// The configuration is composed of the components' own config types, which
// carry the yaml tags of their keys: the forward block holds a
// forwarder.Config, the detections block a detect.Config, the streaming
// block a streaming.Config, and the top-level max_line_bytes and
// checkpoint_interval are those of a tailer.Config (inline,
// yaml:",inline"). Fields tagged yaml:"-" are not configurable in the
// file; a field tagged config:"bytes" takes a byte size with a unit, one
// tagged config:"nonempty" may be left out but not given empty, and one
// tagged config:"path" (a file or directory path) takes text only, not a
// value YAML reads as a number, a boolean or a date (pathValue). An
// option of a component is added once, as a tagged field of its config
// type; the components do not import the YAML library.
package config

import (
	"fmt"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/inputs"
	"github.com/gitlab-syslog/gitlab-syslog/internal/streaming"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// Defaults used when a key is absent.
const (
	DefaultStateDir = "/var/lib/gitlab-syslog"
	DefaultLogDir   = "/var/log/gitlab"
	DefaultURL      = "tcp://127.0.0.1:514"
	DefaultFacility = "local7"
	DefaultSDID     = "gitlab@32473"
	DefaultFormat   = "rfc5424"
	DefaultStartAt  = "beginning"
	// MinMaxDatagram is the smallest forward.max_message_bytes accepted
	// (0 takes forwarder.DefaultMaxDatagram): the 480 octets RFC 5424 §6.1
	// requires every receiver to accept, also RFC 5426 §3.2's limit for
	// IPv4 UDP when the path MTU is unknown.
	MinMaxDatagram = 480
	// MaxMaxDatagram is the largest forward.max_message_bytes accepted:
	// the largest UDP payload over IPv4, 65535 bytes less the 8-byte UDP
	// and 20-byte IP headers (RFC 768, RFC 791). The system refuses a
	// longer datagram (EMSGSIZE) rather than sending it.
	MaxMaxDatagram = forwarder.MaxUDPDatagram
	// MinMaxStreamMessage is the smallest forward.max_stream_message_bytes
	// accepted (0 takes forwarder.DefaultMaxStreamMessage): 2048 octets,
	// the size RFC 5424 §6.1 says a receiver should accept.
	MinMaxStreamMessage = 2048
	// maxStreamMessage is the largest forward.max_stream_message_bytes
	// accepted: 2 GiB, as max_line_bytes.
	maxStreamMessage = 2 << 30
	// DefaultMaxLine is the tailer's default line bound.
	DefaultMaxLine = tailer.DefaultMaxLineBytes
	// MinMaxLine is the smallest max_line_bytes run and check accept
	// (1 KiB). A line longer than max_line_bytes is cut and sent raw,
	// without its columns, unseen by the rules; GitLab's audit and
	// application JSON lines are commonly 1 to 4 KiB (an event with its
	// author, target, details and request metadata), so below 1 KiB
	// nearly every one would be lost that way, and such a value is a unit
	// slip (1 meant 1MiB, 512 meant 512KiB). send, parse and detect,
	// which report every cut line with the limit that would keep it
	// whole, take any positive size.
	MinMaxLine = 1 << 10
	// WarnMaxLine is the max_line_bytes below which check and run warn
	// (8 KiB, rsyslog's default maximum message size): a limit between
	// MinMaxLine and it, as one matched to a collector's may be, cuts
	// ordinary GitLab lines.
	WarnMaxLine = 8 << 10
	// DefaultCheckpointInterval is the tailer's default.
	DefaultCheckpointInterval = tailer.DefaultCheckpointInterval
	// DefaultStreamingPath is the streaming receiver's default URL path.
	DefaultStreamingPath = streaming.DefaultPath
)

// The APP-NAMEs the Microsoft Sentinel GitLab functions filter on, and the
// Rack::Attack log's: the forwarder's, so that the two cannot drift apart.
const (
	AppNameAudit       = forwarder.AppNameAudit
	AppNameApplication = forwarder.AppNameApplication
	AppNameAccess      = forwarder.AppNameAccess
	AppNameAuth        = forwarder.AppNameAuth
)

// Config is the whole configuration file. The zero value plus Resolve is the
// configuration used when no file is given.
type Config struct {
	// StateDir holds the checkpoint files. Default /var/lib/gitlab-syslog,
	// or $XDG_STATE_HOME/gitlab-syslog (~/.local/state/gitlab-syslog) when
	// that is not writable, e.g. when not running as root.
	StateDir string `yaml:"state_dir" config:"path"`
	// LogDir is the directory the default source paths are built from.
	// Default /var/log/gitlab.
	LogDir string `yaml:"log_dir" config:"path"`
	// Hostname is the syslog HOSTNAME; "-" is RFC 5424's nil value (no
	// host name). Default (absent or ""): the OS hostname.
	Hostname string `yaml:"hostname"`
	// StartAt says where to start in a file that has no checkpoint yet
	// and is there when the agent starts: "beginning" (default) or "end".
	// A file that appears later is read from its beginning.
	StartAt string `yaml:"start_at"`
	// Tailer is the tailer's own configuration, the one every followed
	// file's starts from; its keys are top-level keys of the file:
	// max_line_bytes (a byte size: 1048576, 1MiB, 512KiB; default 1 MiB;
	// send cuts lines at it too) and checkpoint_interval (default 1s). The
	// agent sets the path, start position, state directory and runtime
	// fields of each file's copy.
	Tailer tailer.Config `yaml:",inline"`
	// Forward says where and how to send syslog.
	Forward Forward `yaml:"forward"`
	// Sources are the files to follow. When absent, the Omnibus defaults
	// under LogDir are used.
	Sources []Source `yaml:"sources"`
	// Metrics configures the Prometheus endpoint.
	Metrics Metrics `yaml:"metrics"`
	// Streaming configures the Audit Event Streaming HTTP receiver: the
	// receiver's own configuration, keys and defaults (see
	// streaming.Config); Resolve sets spool_dir to <state_dir>/streaming.
	// Events are spooled to SpoolPath() and that file is followed as an
	// audit source.
	Streaming Streaming `yaml:"streaming"`
	// GeoIP configures IP address enrichment.
	GeoIP GeoIP `yaml:"geoip"`
	// Pipeline tunes the per-source processing.
	Pipeline Pipeline `yaml:"pipeline"`
	// Detections configures the detection engine and its rules.
	Detections Detections `yaml:"detections"`
	// Inputs are the network inputs of the aggregator role: syslog over
	// TCP, TLS or RELP from the node agents (see inputs.Config); Resolve
	// sets their spool_dir to <state_dir>/inputs. Each input's spool is
	// followed as a source.
	Inputs []Input `yaml:"inputs"`

	file  string            // the file the config was read from, "" for defaults
	lines map[string]int    // key path ("forward.url", "sources[1].path") → line
	flags map[string]string // key path → the flag that set it ("--start-at")
	// dropped holds the key paths whose values Parse left out as of the
	// wrong type (reported), with each value as written (written):
	// Validate does not call them missing.
	dropped map[string]string
	// bare holds the durations given as bare numbers of seconds, which
	// Parse rewrote with their unit (BareDurations).
	bare []BareDuration
	// hostnameOS says ResolveForward took Hostname from the OS.
	hostnameOS bool
	// urlDefault says ResolveForward set Forward.URL to DefaultURL.
	urlDefault bool
}

// HostnameFromOS reports whether Hostname is the OS hostname, filled in
// by ResolveForward because hostname was absent or empty ("").
func (c *Config) HostnameFromOS() bool { return c.hostnameOS }

// URLDefault reports whether Forward.URL is DefaultURL, filled in by
// ResolveForward because forward.url was absent or empty ("").
func (c *Config) URLDefault() bool { return c.urlDefault }

// Forward is the destination of the syslog messages and how they are
// written.
type Forward struct {
	// Config is the forwarder's own configuration; its keys are those of
	// this block: url (see Schemes; default tcp://127.0.0.1:514, and
	// stdout:// prints the messages, one a line), tls, queue_size,
	// relp_window and max_message_bytes (MaxDatagram). Zero values take
	// the forwarder's defaults.
	forwarder.Config `yaml:",inline"`
	// Facility is the syslog facility name (kern ... local7). Default local7.
	Facility string `yaml:"facility"`
	// SDID is the SD-ID of the structured data element: a private SD-ID,
	// name@<private enterprise number> (RFC 5424 §6.3.2). Default
	// gitlab@32473.
	SDID string `yaml:"sd_id"`
	// StructuredData sends the parsed columns as STRUCTURED-DATA. Default true.
	StructuredData *bool `yaml:"structured_data"`
	// Format is rfc5424 (default) or rfc3164.
	Format string `yaml:"format"`
}

// TLS is the forward.tls block: the forwarder's TLS configuration, used
// with tls:// and relp+tls:// URLs.
type TLS = forwarder.TLSConfig

// Source is one followed log file, or, when Path is a glob, every file it
// matches.
type Source struct {
	// Type is audit, application, access or auth. It may be left out when
	// Format is not plain: the gitlab-logger subcomponent of each line then
	// picks the parser, and lines without one are other lines.
	Type string `yaml:"type"`
	// Path is the file to follow, or a glob (filepath.Match syntax:
	// /var/log/containers/*gitlab-webservice*.log): each file it matches is
	// followed and checkpointed on its own, new matches are picked up, and
	// a deleted file is forgotten once its last line was sent.
	Path string `yaml:"path" config:"path"`
	// AppName overrides the APP-NAME that goes with Type (for lines of
	// Type only).
	AppName string `yaml:"app_name"`
	// StartAt overrides the top-level start_at for this file.
	StartAt string `yaml:"start_at"`
	// Format is how the lines are wrapped: plain (default: GitLab's own
	// lines), cri (containerd, CRI-O), docker (json-file driver) or auto
	// (sniffed per line). With cri, docker and auto, partial records are
	// joined and the GitLab chart's gitlab-logger envelope is unwrapped;
	// see container.Decoder.
	Format string `yaml:"format"`
	// OtherSubcomponents says what happens to lines whose gitlab-logger
	// subcomponent has no parser (production_json, sidekiq, ...), to
	// stderr lines not wrapped by the logger, and, without Type, to any
	// line not wrapped by it: drop (default; counted) or forward (sent
	// raw, APP-NAME GitLab-Logs).
	OtherSubcomponents string `yaml:"other_subcomponents"`
	// OldDir is logrotate's olddir for this file, when its logrotate
	// configuration moves the rotated copies to another directory:
	// absolute, or relative to the file's directory as logrotate takes
	// it. The copies are then looked for there too (tailer.Config.OldDir),
	// for the lines a copytruncate or a rotation while the agent was
	// stopped left only in them.
	OldDir string `yaml:"olddir" config:"path"`
	// Extension is logrotate's extension option for this file (".log"),
	// when its logrotate configuration sets it: the rotated copies keep it
	// at their end ("audit_json.1.log", "audit_json-20261122.log.gz") and
	// are looked for under those names (tailer.Config.Extension), and a
	// glob does not follow them as files of their own.
	Extension string `yaml:"extension"`
}

// IsGlob reports whether the source's path is a glob pattern.
func (s *Source) IsGlob() bool { return strings.ContainsAny(s.Path, "*?[") }

// Metrics configures the HTTP endpoint for /metrics and /healthz.
type Metrics struct {
	// Listen is host:port; empty disables the endpoint.
	Listen string `yaml:"listen"`
}

// Streaming is the streaming block: the receiver's own configuration, with
// its keys and defaults.
type Streaming = streaming.Config

// Input is one entry of the inputs list: the input's own configuration,
// with its keys and defaults.
type Input = inputs.Config

// Pipeline tunes how each source's lines are processed.
type Pipeline struct {
	// Workers is the number of goroutines that parse and encode the
	// batches of one source in parallel; batches are still sent and
	// checkpointed in file order. 0 (the default) means min(2, GOMAXPROCS).
	Workers int `yaml:"workers"`
}

// MaxWorkers bounds Pipeline.Workers.
const MaxWorkers = 64

// GeoIP configures enrichment with MaxMind databases.
type GeoIP struct {
	CityDB string `yaml:"city_db" config:"path"`
	ASNDB  string `yaml:"asn_db" config:"path"`
}

// File returns the path the configuration was loaded from, or "".
func (c *Config) File() string { return c.file }

// Empty reports whether the file gave no key at all (an empty file, only
// comments, or {}): every setting is then a default, or a flag's. A key
// whose value was taken out for its wrong type (Dropped) was given.
func (c *Config) Empty() bool { return len(c.lines) == 0 && len(c.dropped) == 0 }

// Settings returns a copy of c without the lines its keys were read
// from, for comparing the values of two configurations: the same file
// with a comment added holds the same settings.
func (c *Config) Settings() Config {
	s := *c
	s.lines = nil
	return s
}

// FromFlags reports whether a command-line flag set a key (SetByFlag).
func (c *Config) FromFlags() bool { return len(c.flags) > 0 }

// Line returns the line the key path (e.g. "forward.url", "sources[0].type")
// was on, or 0 when it was not in the file.
func (c *Config) Line(path string) int { return c.lines[path] }

// Where names where the value at key path came from, for a message about
// it: the flag that gave it ("--ca-file"), else "file:line: path" for a
// key of the config file (the line of its nearest parent when the key
// itself was not written), else path alone (a built-in default).
func (c *Config) Where(path string) string {
	return c.KeyError(path, nil).place()
}

// KeyError returns an *Error about the key at path with cause err,
// located as Where names it: Key is the flag that gave the value
// (File "" and Line 0), else path, with File and the line of the key or
// of its nearest parent when the file has one (else File "" too).
func (c *Config) KeyError(path string, err error) *Error {
	v := &validator{c: c}
	if flag := v.flagOf(path); flag != "" {
		return &Error{Key: flag, Err: err}
	}
	if l := v.lineOf(path); l > 0 && c.file != "" {
		return &Error{File: c.file, Line: l, Key: path, Err: err}
	}
	return &Error{Key: path, Err: err}
}

// SendStructuredData reports whether the parsed columns go into
// STRUCTURED-DATA.
func (f *Forward) SendStructuredData() bool {
	return f.StructuredData == nil || *f.StructuredData
}

// Dropped reports whether the key at path (as Line takes it), or the list
// item ("sources[1]"), was given with a value Parse left out as of the
// wrong type (reported as such), so that a check that would call it
// missing can say nothing instead. A dropped list item is decoded empty,
// in its place.
func (c *Config) Dropped(path string) bool {
	_, ok := c.dropped[path]
	return ok
}

// Written returns the value as written of the key at path that Parse left
// out as of the wrong type (Dropped: lateness: banana), a list or a
// mapping on one line ([1]), so that check can show the value the file
// gives, not the default decoded in its place; "" for a key not dropped.
func (c *Config) Written(path string) string { return c.dropped[path] }

// BadSource reports whether the item sources[i] of the file was of the
// wrong type (a bare path): reported as an error, and decoded empty in
// its place, so that the sources after it keep their index (Parse).
func (c *Config) BadSource(i int) bool { return c.Dropped(fmt.Sprintf("sources[%d]", i)) }
