// Package config loads and validates the gitlab-syslog agent's YAML
// configuration.
//
// Decoding is strict: an unknown key, a value of the wrong type or a
// duplicated key is an error that names the file and line, and suggests the
// key that was probably meant. After decoding, Resolve fills in defaults
// (state directory, hostname, the Omnibus log paths) and Validate reports
// every problem it finds, each with its line when the key was in the file.
package config

import (
	"time"

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
	// DefaultMaxLine is the tailer's default line bound.
	DefaultMaxLine = tailer.DefaultMaxLineBytes
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
	StateDir string `yaml:"state_dir"`
	// LogDir is the directory the default source paths are built from.
	// Default /var/log/gitlab.
	LogDir string `yaml:"log_dir"`
	// Hostname is the syslog HOSTNAME. Default: the OS hostname.
	Hostname string `yaml:"hostname"`
	// StartAt says where to start in a file that has no checkpoint yet:
	// "beginning" (default) or "end".
	StartAt string `yaml:"start_at"`
	// MaxLineBytes bounds one line; longer lines are truncated and counted.
	// Default 1 MiB. In the file a byte size: 1048576, 1MiB, 512KiB.
	MaxLineBytes int `yaml:"max_line_bytes" config:"bytes"`
	// CheckpointInterval is how often each file's checkpoint is written
	// (default 1s). After a crash, at most about this much of the files is
	// sent again: it bounds the duplicates. Shorter means more fsyncs.
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
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
}

// Forward is the destination of the syslog messages.
type Forward struct {
	// URL is udp://host:port, tcp://host:port, tls://host:port,
	// unix:///path (datagram, or stream if it is one), unixgram:///path,
	// relp://host:port, relp+tls://host:port, or stdout:// (print the
	// messages, one a line); see Schemes. Default tcp://127.0.0.1:514.
	URL string `yaml:"url"`
	// TLS is used with tls:// and relp+tls:// URLs.
	TLS TLS `yaml:"tls"`
	// Facility is the syslog facility name (kern ... local7). Default local7.
	Facility string `yaml:"facility"`
	// SDID is the SD-ID of the structured data element. Default gitlab@32473.
	SDID string `yaml:"sd_id"`
	// StructuredData sends the parsed columns as STRUCTURED-DATA. Default true.
	StructuredData *bool `yaml:"structured_data"`
	// Format is rfc5424 (default) or rfc3164.
	Format string `yaml:"format"`
	// QueueSize is the number of batches the forwarder holds while the
	// collector is slow or down; when full, reading pauses. 0: forwarder default.
	QueueSize int `yaml:"queue_size"`
	// RELPWindow is the number of RELP messages sent and not yet
	// acknowledged by the receiver (0: forwarder default, 128 as rsyslog's
	// omrelp).
	RELPWindow int `yaml:"relp_window"`
	// MaxMessageBytes bounds one encoded message (0: forwarder default).
	MaxMessageBytes int `yaml:"max_message_bytes" config:"bytes"`
}

// TLS holds the files for tls:// and relp+tls:// destinations.
type TLS struct {
	// CAFile is a PEM bundle of the CAs to trust; empty uses the system roots.
	CAFile     string `yaml:"ca_file"`
	CertFile   string `yaml:"cert_file"`
	KeyFile    string `yaml:"key_file"`
	ServerName string `yaml:"server_name"`
	// InsecureSkipVerify disables server certificate verification (tests only).
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// Source is one followed log file.
type Source struct {
	// Type is audit, application, access or auth.
	Type string `yaml:"type"`
	// Path is the file to follow.
	Path string `yaml:"path"`
	// AppName overrides the APP-NAME that goes with Type.
	AppName string `yaml:"app_name"`
	// StartAt overrides the top-level start_at for this file.
	StartAt string `yaml:"start_at"`
}

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
	CityDB string `yaml:"city_db"`
	ASNDB  string `yaml:"asn_db"`
}

// File returns the path the configuration was loaded from, or "".
func (c *Config) File() string { return c.file }

// Line returns the line the key path (e.g. "forward.url", "sources[0].type")
// was on, or 0 when it was not in the file.
func (c *Config) Line(path string) int { return c.lines[path] }

// SendStructuredData reports whether the parsed columns go into
// STRUCTURED-DATA.
func (f *Forward) SendStructuredData() bool {
	return f.StructuredData == nil || *f.StructuredData
}
