package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// RelativePaths returns a warning for each file or directory path written
// in the config file as a relative path (state_dir, log_dir, a source's
// path, the TLS, token and GeoIP files, a detection rule's ti_file or
// geoip_db). The agent takes such a path from
// its current directory, not from the config file's, so a config that
// check passes in the shell's directory names other files once run starts
// elsewhere: systemd starts the unit in /. Each warning names the file,
// line and key, the path, and the file it names from cwd (the current
// directory, "" when unknown). Paths given by flags are relative to the
// shell that typed them, as a user expects, and are not reported.
func (c *Config) RelativePaths(cwd string) []string {
	if c.file == "" {
		return nil
	}
	var warns []string
	for _, p := range c.pathKeys() {
		if p.value == "" || filepath.IsAbs(p.value) || c.lines[p.key] == 0 {
			continue
		}
		if _, byFlag := c.flags[p.key]; byFlag {
			continue
		}
		if t := tildeHint(p.value); t != "" {
			warns = append(warns, fmt.Sprintf("%s:%d: %s: %q begins with ~, which is not expanded (no shell reads the config): the agent takes it as a relative path, under a directory named ~ in its current directory; %s",
				c.file, c.lines[p.key], p.key, p.value, t))
			continue
		}
		here := ""
		if cwd != "" {
			here = " (now " + filepath.Join(cwd, p.value) + ")"
		}
		warns = append(warns, fmt.Sprintf("%s:%d: %s: %q is relative: the agent resolves it against its current directory%s, not the config file's, and systemd starts the agent in /, where it is %s; give an absolute path",
			c.file, c.lines[p.key], p.key, p.value, here, filepath.Join("/", p.value)))
	}
	return warns
}

// tildeHint returns, for a path that begins with ~ (~, ~/x, ~user/x),
// what to write instead: the absolute path, with the current user's home
// directory for ~/x when it is known (the agent may run as another user,
// whose home that is not); "" for any other path.
func tildeHint(path string) string {
	if !strings.HasPrefix(path, "~") {
		return ""
	}
	if rest, ok := strings.CutPrefix(path, "~/"); ok || path == "~" {
		if home, err := os.UserHomeDir(); err == nil && filepath.IsAbs(home) {
			return "write the absolute path (" + filepath.Join(home, rest) + " for this user's home directory)"
		}
	}
	return "write the absolute path"
}

// pathKey is one key of the config that holds a file or directory path.
type pathKey struct{ key, value string }

// pathKeys lists the keys of c that hold a file or directory path, with
// their values.
func (c *Config) pathKeys() []pathKey {
	keys := []pathKey{
		{"state_dir", c.StateDir}, {"log_dir", c.LogDir},
		{"forward.tls.ca_file", c.Forward.TLS.CAFile},
		{"forward.tls.cert_file", c.Forward.TLS.CertFile},
		{"forward.tls.key_file", c.Forward.TLS.KeyFile},
		{"streaming.token_file", c.Streaming.TokenFile},
		{"streaming.spool_dir", c.Streaming.SpoolDir},
		{"streaming.tls.cert_file", c.Streaming.TLS.CertFile},
		{"streaming.tls.key_file", c.Streaming.TLS.KeyFile},
		{"geoip.city_db", c.GeoIP.CityDB}, {"geoip.asn_db", c.GeoIP.ASNDB},
	}
	for i, s := range c.Sources {
		keys = append(keys, pathKey{fmt.Sprintf("sources[%d].path", i), s.Path})
	}
	for i, in := range c.Inputs {
		k := fmt.Sprintf("inputs[%d].tls.", i)
		keys = append(keys, pathKey{k + "cert_file", in.TLS.CertFile},
			pathKey{k + "key_file", in.TLS.KeyFile}, pathKey{k + "client_ca_file", in.TLS.ClientCAFile})
	}
	for _, name := range detectPathParams {
		keys = append(keys, pathKey{"detections.params." + name, c.Detections.Params[name]})
		for _, id := range c.Detections.RuleIDs() {
			keys = append(keys, pathKey{"detections.rules." + id + "." + name, c.Detections.Rules[id].Params[name]})
		}
	}
	return keys
}

// detectPathParams are the detection rules' parameters that name a file:
// sentinel.ti_malicious_ip's indicator file and the GeoIP rules' database.
var detectPathParams = []string{"ti_file", "geoip_db"}
