package collect

import (
	"bufio"
	"bytes"
	"strconv"
	"testing"
)

// FuzzReadFrames feeds arbitrary streams to the framer and parsers: no
// panic, no frame over the limit, and octet-counted frames come back
// exactly. Run with: go test -fuzz FuzzReadFrames ./internal/collect/
func FuzzReadFrames(f *testing.F) {
	f.Add([]byte("6 <1>1 a<2>1 b\n"), []byte("<190>1 - h a - - [x@1 k=\"v\\\"\"] m"))
	f.Add([]byte("99999999999999999999 x"), []byte("\xff"))
	f.Add([]byte("\n\r\x00 12 "), []byte("<13>Nov  2 03:04:05 h t: m"))
	f.Fuzz(func(t *testing.T, stream, frame []byte) {
		ps := newParsers()
		_ = ReadFrames(bufio.NewReaderSize(bytes.NewReader(stream), 16), 1<<16, func(b []byte) {
			if len(b) > 1<<16+1 {
				t.Fatalf("frame of %d bytes over the limit", len(b))
			}
			ps.parse(b)
		})
		if len(frame) == 0 {
			return
		}
		var in bytes.Buffer
		for range 3 {
			in.WriteString(strconv.Itoa(len(frame)) + " ")
			in.Write(frame)
		}
		n := 0
		err := ReadFrames(bufio.NewReaderSize(&in, 16), 1<<20, func(b []byte) {
			if !bytes.Equal(b, frame) {
				t.Fatalf("frame %d = %q, want %q", n, b, frame)
			}
			n++
		})
		if err != nil || n != 3 {
			t.Fatalf("got %d frames, err %v", n, err)
		}
	})
}
