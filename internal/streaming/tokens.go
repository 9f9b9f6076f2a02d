package streaming

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
)

// MinTokenLength is the length of the verification tokens GitLab
// generates. A shorter token works but is warned about: it was probably
// cut when copied, or is a placeholder.
const MinTokenLength = 16

// PlainWarning is what New logs, and the check command prints, when a
// Receiver serves plain HTTP on an address that is not loopback.
const PlainWarning = "serving plain HTTP on a non-loopback address: tokens and events travel in clear text; set tls cert_file and key_file, or put a TLS proxy in front"

// TokenError is the error of one of a Config's token sources that gives
// no usable token: New, Reload and Check return one per such source,
// joined (errors.Join).
type TokenError struct {
	// Key names the source as the agent configuration's streaming block
	// does: "tokens[N]", "token_file" or "token_env"; "" when no source
	// is set at all.
	Key string
	// Err is the cause, followed by what to do.
	Err error
}

// Error returns "streaming: KEY: cause; what to do".
func (e *TokenError) Error() string {
	if e.Key == "" {
		return "streaming: " + e.Err.Error()
	}
	return "streaming: " + e.Key + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *TokenError) Unwrap() error { return e.Err }

// Warning is a setting of a Config that works but is probably a mistake:
// New logs it at WARN level, and the check command prints it.
type Warning struct {
	// Key is the key of the streaming block it is about: "tokens[N]",
	// "token_file", "token_env" or "listen".
	Key string
	// Msg says what is wrong and what to do. It holds no token material.
	Msg string
}

// Check reads the tokens of cfg as New does and resolves cfg.Listen as
// net.Listen does, without keeping a token or listening, and returns
// what New would log as warnings (a token file others can read, a token
// shorter than MinTokenLength, plain HTTP on an address that is not
// loopback: PlainWarning; a MaxBody that refuses ordinary events or is
// above what GitLab sends: maxBodyWarning) and the errors of its token sources, one
// *TokenError per source, joined; nil when New would accept the tokens.
// Looking a host name up is its only network access; it reports nothing
// about a Listen that does not resolve (New's error names it).
func Check(cfg Config) ([]Warning, error) {
	_, warns, err := readTokens(&cfg)
	if cfg.TLS.CertFile == "" && cfg.TLS.KeyFile == "" {
		if a, rerr := net.ResolveTCPAddr("tcp", cfg.Listen); rerr == nil && !isLoopback(a) {
			warns = append(warns, Warning{Key: "listen", Msg: PlainWarning})
		}
	}
	if msg := maxBodyWarning(cfg.MaxBody); msg != "" {
		warns = append(warns, Warning{Key: "max_body", Msg: msg})
	}
	return warns, err
}

// MinUsefulBody is the smallest max_body that takes GitLab's ordinary
// audit events (a few hundred bytes to a few KiB of JSON): below it,
// maxBodyWarning warns.
const MinUsefulBody = 16 << 10

// maxBodyWarning returns the warning about max_body n (bytes; 0: the
// default), or "": below MinUsefulBody ordinary events are refused 413,
// which GitLab does not retry, and above GitLabMaxBody nothing larger
// comes (fresh-user trial 283: 100 and 10GiB passed check silently).
func maxBodyWarning(n int64) string {
	switch {
	case n > 0 && n < MinUsefulBody:
		return fmt.Sprintf("max_body is %d bytes: GitLab's audit events take up to a few KiB, and an event larger than max_body is refused 413, which GitLab does not retry (the event is lost); leave it unset (%d bytes) or give at least %d", n, DefaultMaxBody, MinUsefulBody)
	case n > GitLabMaxBody:
		return fmt.Sprintf("max_body is %d bytes, above the %d bytes GitLab sends at most: no body that large comes; give at most %d", n, GitLabMaxBody, GitLabMaxBody)
	}
	return ""
}

// loadTokens gathers the tokens from the three sources in cfg and logs
// the warnings about them to log.
func loadTokens(cfg *Config, log *slog.Logger) (tokenSet, error) {
	toks, warns, err := readTokens(cfg)
	for _, w := range warns {
		log.Warn("streaming: "+w.Msg, warnAttrs(cfg, w.Key)...)
	}
	if err != nil {
		return nil, err
	}
	ts := make(tokenSet, len(toks))
	for i, t := range toks {
		ts[i] = sha256.Sum256([]byte(t))
	}
	return ts, nil
}

// warnAttrs returns the log attributes of a warning about key of cfg's
// block: key and, when cfg.Where is set, where (its file and line).
func warnAttrs(cfg *Config, key string) []any {
	attrs := []any{"key", key}
	if cfg.Where != nil {
		attrs = append(attrs, "where", cfg.Where(key))
	}
	return attrs
}

// readTokens returns the tokens of cfg's three sources (Tokens,
// TokenFile, TokenEnv), the warnings about them and, when a source gives
// no usable token or none is set, the *TokenError of each, joined. It
// reads every source, so that one call reports them all.
func readTokens(cfg *Config) (toks []string, warns []Warning, err error) {
	var errs []error
	fail := func(key string, err error) { errs = append(errs, &TokenError{Key: key, Err: err}) }
	short := func(key, msg string) {
		warns = append(warns, Warning{Key: key, Msg: msg + fmt.Sprintf(" is shorter than the %d characters GitLab generates; copy the whole verification token GitLab shows for the streaming destination", MinTokenLength)})
	}
	for i, t := range cfg.Tokens { // used as given: GitLab does not trim a user-set token
		key := "tokens[" + strconv.Itoa(i) + "]"
		if strings.TrimSpace(t) == "" {
			fail(key, errors.New("is empty; give the verification token GitLab shows for the streaming destination, or remove the item"))
			continue
		}
		if len(t) < MinTokenLength {
			short(key, "the token")
		}
		toks = append(toks, t)
	}
	if cfg.TokenFile != "" {
		ft, fw, ferr := fileTokens(cfg.TokenFile)
		if ferr != nil {
			fail("token_file", ferr)
		}
		warns = append(warns, fw...)
		for _, l := range ft {
			if len(l.tok) < MinTokenLength {
				short("token_file", fmt.Sprintf("the token at line %d of %s", l.line, cfg.TokenFile))
			}
			toks = append(toks, l.tok)
		}
	}
	if cfg.TokenEnv != "" {
		f := strings.FieldsFunc(os.Getenv(cfg.TokenEnv), func(r rune) bool {
			return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
		})
		if len(f) == 0 {
			fail("token_env", fmt.Errorf("environment variable %s is unset or empty; set it in the agent's environment (Environment= or EnvironmentFile= in its systemd unit, env in a container) to the verification token(s), separated by commas, or remove token_env", cfg.TokenEnv))
		}
		for i, t := range f {
			if len(t) < MinTokenLength {
				short("token_env", fmt.Sprintf("token %d of environment variable %s", i+1, cfg.TokenEnv))
			}
		}
		toks = append(toks, f...)
	}
	if len(cfg.Tokens) == 0 && cfg.TokenFile == "" && cfg.TokenEnv == "" {
		fail("", errors.New("no verification token configured: set tokens, token_file or token_env "+
			"to the token GitLab shows for the streaming destination"))
	}
	if len(errs) > 0 {
		return nil, warns, errors.Join(errs...)
	}
	return toks, warns, nil
}

// fileToken is a token of a token file and its 1-based line.
type fileToken struct {
	tok  string
	line int
}

// fileTokens reads the token file path: one token per line, surrounding
// white space trimmed, empty lines and lines starting with # skipped, and
// any UTF-8 byte order marks at its start (which Windows editors write). It
// warns about a file that group or others can read. The error, for a
// file that cannot be read, is not a regular file or holds no token, says
// what to do.
func fileTokens(path string) ([]fileToken, []Warning, error) {
	const give = "give the file that holds the streaming destinations' verification tokens, one per line, or remove token_file"
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, nil, fmt.Errorf("%w; %s", err, give)
	case fi.IsDir():
		return nil, nil, fmt.Errorf("%s is a directory; %s", path, give)
	case !fi.Mode().IsRegular():
		return nil, nil, fmt.Errorf("%s is not a regular file (mode %s); %s", path, fi.Mode(), give)
	}
	var warns []Warning
	if fi.Mode().Perm()&0o077 != 0 {
		warns = append(warns, Warning{Key: "token_file", Msg: fmt.Sprintf("token file %s is readable by group or others (mode %s); chmod 600 it", path, fi.Mode().Perm())})
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, warns, fmt.Errorf("%w; make it readable to the agent's user (and to no one else: chmod 600)", err)
	}
	var toks []fileToken
	for i, line := range strings.Split(strings.TrimLeft(string(data), "\ufeff"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		toks = append(toks, fileToken{tok: line, line: i + 1})
	}
	if len(toks) == 0 {
		return nil, warns, fmt.Errorf("%s holds no token (one per line; empty lines and lines starting with # are skipped); write the verification token GitLab shows for the streaming destination in it", path)
	}
	return toks, warns, nil
}
