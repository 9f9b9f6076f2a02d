package streaming

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"path/filepath"
	"time"
)

// Defaults for the zero values of Config.
const (
	// DefaultPath is the URL path events are POSTed to.
	DefaultPath = "/gitlab/audit"
	// DefaultMaxBody bounds a request body. Audit events are a few KiB; a
	// body over 1 MiB is refused with 413 (and the event is lost, so the
	// refusal is logged at warning level). GitLab itself sends up to 25 MB
	// (GitLabMaxBody); raise MaxBody up to that if you stream events with
	// very large details.
	DefaultMaxBody = 1 << 20
	// GitLabMaxBody is the largest body GitLab sends (REQUEST_BODY_SIZE_LIMIT).
	GitLabMaxBody = 25 << 20
	// DefaultDedupeWindow is how long a spooled event is remembered to
	// recognise a repeat.
	DefaultDedupeWindow = 24 * time.Hour
	// DefaultDedupeMaxIDs bounds the remembered events; beyond it the oldest
	// are forgotten first. One costs about 126 bytes of memory (measured
	// with 2^18 keys), so the default holds at most some 33 MB.
	DefaultDedupeMaxIDs = 1 << 18
	// DefaultSpoolMaxBytes is the size at which the spool is rotated.
	DefaultSpoolMaxBytes = 64 << 20
	// SpoolFile is the name of the spool in SpoolDir; the rotated file is
	// SpoolFile + ".1".
	SpoolFile = "events.log"
	// DedupeFile is the name of the log of spooled event keys in SpoolDir.
	DedupeFile = "dedupe.log"
	// TokenHeader carries the destination's verification token.
	TokenHeader = "X-Gitlab-Event-Streaming-Token"
	// EventTypeHeader carries the event type (GitLab 15.0+).
	EventTypeHeader = "X-Gitlab-Audit-Event-Type"
	// ShutdownTimeout is how long Run waits for requests in progress when its
	// context is cancelled.
	ShutdownTimeout = 10 * time.Second
)

// Config configures a Receiver. Listen, SpoolDir and at least one token are
// required; zero values of the rest take the defaults above. The yaml tags
// are the keys of the agent configuration's streaming block
// (internal/config decodes that block into a Config); fields tagged "-"
// are not configurable there.
type Config struct {
	// Listen is the host:port to listen on, e.g. ":8443" or "10.0.0.5:8443"
	// ("127.0.0.1:0" picks a free port; see Addr). In the agent's
	// configuration an empty Listen turns the receiver off.
	Listen string `yaml:"listen"`
	// Path is the URL path of the destination URL. Default DefaultPath.
	Path string `yaml:"path"`
	// TLS names the certificate to serve HTTPS (TLS 1.2+) with; empty
	// serves plain HTTP.
	TLS TLSFiles `yaml:"tls"`
	// Tokens are accepted verification tokens, one per streaming destination
	// (a group and the instance have different tokens); GitLab sends the
	// destination's token in TokenHeader.
	Tokens []string `yaml:"tokens"`
	// TokenFile names a file with more tokens, one per line; surrounding
	// white space is trimmed, empty lines and lines starting with # are
	// skipped.
	TokenFile string `yaml:"token_file" config:"path"`
	// TokenEnv names an environment variable with more tokens, separated by
	// commas or white space.
	TokenEnv string `yaml:"token_env"`
	// MaxBody is the largest accepted body in bytes. Default DefaultMaxBody.
	// In the agent's configuration a byte size: 1048576, 1MiB.
	MaxBody int64 `yaml:"max_body" config:"bytes"`
	// DedupeWindow is how long a spooled event is remembered to drop its
	// repeats (same id, event_type and created_at; see the package
	// documentation), e.g. "24h" in the agent's configuration.
	// Default DefaultDedupeWindow; negative turns deduplication off.
	DedupeWindow time.Duration `yaml:"dedupe_window"`
	// DedupeMaxIDs bounds the remembered events. Default DefaultDedupeMaxIDs.
	DedupeMaxIDs int `yaml:"-"`
	// SpoolDir holds the spool (SpoolFile), its rotated predecessor and the
	// dedupe log. It is created (mode 0700) if missing. The agent's
	// default is <state_dir>/streaming.
	SpoolDir string `yaml:"spool_dir" config:"path"`
	// SpoolMaxBytes is the size at which the spool is rotated. Default
	// DefaultSpoolMaxBytes.
	SpoolMaxBytes int64 `yaml:"-"`
	// Logger receives the Receiver's logs. Default slog.Default().
	Logger *slog.Logger `yaml:"-"`
	// Where, when not nil, names where a key of this block was set, for
	// the warnings New and Reload log: given a Warning's Key ("tokens[0]",
	// "token_file", "token_env", "listen") it returns its place, such as
	// "agent.yaml:7: streaming.token_file" (the agent's configuration file
	// and line, or the flag that gave the value), logged as the attribute
	// "where", so that a warning names the line to fix as the check
	// command does. Nil logs the key alone.
	Where func(key string) string `yaml:"-"`
}

// TLSFiles are the PEM files of the certificate a Receiver serves. Both or
// neither.
type TLSFiles struct {
	CertFile string `yaml:"cert_file" config:"path"`
	KeyFile  string `yaml:"key_file" config:"path"`
}

// SpoolPath returns the spool file events are appended to: SpoolFile in
// SpoolDir.
func (c *Config) SpoolPath() string { return filepath.Join(c.SpoolDir, SpoolFile) }

// tokenSet holds the SHA-256 digests of the accepted tokens. Comparing
// digests keeps the comparison constant-time regardless of token lengths.
type tokenSet [][sha256.Size]byte

// match reports whether got is one of the tokens. It compares against every
// token, so the time taken does not tell which one matched, if any.
func (ts tokenSet) match(got string) bool {
	h := sha256.Sum256([]byte(got))
	ok := 0
	for i := range ts {
		ok |= subtle.ConstantTimeCompare(h[:], ts[i][:])
	}
	return ok == 1
}
