// Package gziptest compresses test data with gzip, as logrotate's compress
// writes a rotated log (name.1.gz). It is test tooling: no package of the
// shipped binary imports it (see cmd/gitlab-syslog's TestShippedBinaryHasNoTestTooling).
package gziptest

import (
	"bytes"
	"compress/gzip"
	"testing"
)

// Compress returns data as one complete gzip stream, failing t when the
// compression fails.
func Compress(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
