package gziptest

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"
)

// TestCompress: the result is one complete gzip stream of the data (the
// trailer checked by reading to EOF), empty data included.
func TestCompress(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("one line\n"), bytes.Repeat([]byte("203.0.113.7 - - GET /\r\n"), 10000)} {
		zr, err := gzip.NewReader(bytes.NewReader(Compress(t, data)))
		if err != nil {
			t.Fatal(err)
		}
		zr.Multistream(false)
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%d bytes: %v", len(data), err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%d bytes: got %d bytes back", len(data), len(got))
		}
	}
}
