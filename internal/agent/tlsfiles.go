package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"slices"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// tlsFilesSum returns a digest (hex SHA-256) of the contents of the
// forward.tls files of f that are set (ca_file, cert_file, key_file), ""
// when none is. The forwarder reads them once, when it is built, so a
// reload compares the digest with the running forwarder's to build it
// again when a file was renewed in place (a CA bundle or a client
// certificate written over under the same name). A file that cannot be
// read puts its error in the digest: it differs, and the forwarder built
// again reports the cause.
func tlsFilesSum(f *config.Forward) string {
	t := f.TLS
	files := []string{t.CAFile, t.CertFile, t.KeyFile}
	if !slices.ContainsFunc(files, func(s string) bool { return s != "" }) {
		return ""
	}
	h := sha256.New()
	for _, name := range files {
		h.Write([]byte(name + "\x00"))
		if name == "" {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			h.Write([]byte("error: " + err.Error()))
		}
		h.Write(b)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// forwardChanges names what a reload from old to nu changes of the
// destination (the forward block, see changedKeys), and the renewal in
// place of its TLS files when renewed.
func forwardChanges(old, nu *config.Forward, renewed bool) []string {
	var keys []string
	for _, k := range changedKeys("forward", old.Config, nu.Config) {
		if k == "forward.tls" {
			keys = append(keys, changedKeys("forward.tls", old.TLS, nu.TLS)...)
			continue
		}
		keys = append(keys, k)
	}
	keys = append(keys, changedKeys("forward", *old, *nu)...)
	if renewed {
		keys = append(keys, "forward.tls files renewed in place (their contents changed)")
	}
	return keys
}
