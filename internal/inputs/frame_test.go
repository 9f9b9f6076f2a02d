package inputs

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

type frameResult struct {
	frame string
	cut   int
}

// readAll reads every frame of in with FrameReader (max bytes kept) and
// returns them with the error that ended the stream (nil for io.EOF).
func readAll(in string, max int) ([]frameResult, error) {
	fr := NewFrameReader(bufio.NewReaderSize(strings.NewReader(in), 16), max)
	var out []frameResult
	for {
		f, cut, err := fr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, frameResult{string(f), cut})
	}
}

func TestFrameReader(t *testing.T) {
	long := strings.Repeat("x", 40)
	tests := []struct {
		name string
		in   string
		max  int
		want []frameResult
		err  error // errors.Is target of the error after the frames
	}{
		{"octet counting", "5 <1>ab3 <2>", 64, []frameResult{{"<1>ab", 0}, {"<2>", 0}}, nil},
		{"LF framing", "<1>a\n<2>b\n", 64, []frameResult{{"<1>a", 0}, {"<2>b", 0}}, nil},
		{"mixed per frame", "3 <1><2>b\n4 <3>c", 64, []frameResult{{"<1>", 0}, {"<2>b", 0}, {"<3>c", 0}}, nil},
		{"octet frame holds LF", "7 <1>a\nb\n", 64, []frameResult{{"<1>a\nb\n", 0}}, nil},
		{"separators skipped", "\r\n \x003 <1>\n\n<2>\r\n", 64, []frameResult{{"<1>", 0}, {"<2>", 0}}, nil},
		{"CRLF line ends", "<1>a\r\n<2>b\r\n", 64, []frameResult{{"<1>a", 0}, {"<2>b", 0}}, nil},
		{"only the CR before LF", "<1>a\rb\r\r\n", 64, []frameResult{{"<1>a\rb\r", 0}}, nil},
		{"CRLF split over reads", "<1>" + long + "\r\n<2>\r\n", 64, []frameResult{{"<1>" + long, 0}, {"<2>", 0}}, nil},
		{"CRLF frame of Max octets not cut", "<1>45678\r\n<2>\r\n", 8, []frameResult{{"<1>45678", 0}, {"<2>", 0}}, nil},
		{"CRLF frame cut", "<1>456789\r\n", 8, []frameResult{{"<1>45678", 9}}, nil},
		{"last frame without LF keeps CR", "<1>end\r", 64, []frameResult{{"<1>end\r", 0}}, nil},
		{"octet frame keeps CR", "6 <1>a\r\n<2>\r\n", 64, []frameResult{{"<1>a\r\n", 0}, {"<2>", 0}}, nil},
		{"last LF frame without LF", "<1>end", 64, []frameResult{{"<1>end", 0}}, nil},
		{"long LF frame over the buffer", "<1>" + long + "\n<2>\n", 64, []frameResult{{"<1>" + long, 0}, {"<2>", 0}}, nil},
		{"octet frame cut", "10 <1>4567890<2>ok\n", 4, []frameResult{{"<1>4", 10}, {"<2>o", 5}}, nil},
		{"LF frame cut, rest skipped", "<1>" + long + "\n<2>\n", 8, []frameResult{{"<1>xxxxx", 43}, {"<2>", 0}}, nil},
		{"bad MSG-LEN", "12x <1>", 64, nil, ErrFrame},
		{"MSG-LEN 0", "0 <1>\n", 64, nil, ErrFrame},
		{"MSG-LEN too long", "12345678901 x", 64, nil, ErrFrame},
		{"MSG-LEN over 256 MiB", "999999999 <1>a\n<2>b\n", 64, nil, ErrFrame},
		{"octet frame cut short", "9 <1>a", 64, nil, io.ErrUnexpectedEOF},
		{"stream ends in MSG-LEN", "<1>a\n12", 64, []frameResult{{"<1>a", 0}}, io.ErrUnexpectedEOF},
		{"empty", "", 64, nil, nil},
	}
	// CRLF at every offset of the 16-byte reader buffer: the CR at the end
	// of one read and the LF alone in the next too.
	for n := range 20 {
		x := long[:n]
		tests = append(tests, struct {
			name string
			in   string
			max  int
			want []frameResult
			err  error
		}{"CRLF after " + strconv.Itoa(n) + " x", "<1>" + x + "\r\n<2>\r\n", 64, []frameResult{{"<1>" + x, 0}, {"<2>", 0}}, nil})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(tt.in, tt.max)
			if tt.err == nil && err != nil || tt.err != nil && !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("frames %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("frame %d = %q (cut %d), want %q (cut %d)", i, got[i].frame, got[i].cut, tt.want[i].frame, tt.want[i].cut)
				}
			}
		})
	}
}

// FuzzFrameReader feeds arbitrary streams to the octet-counting and LF
// frame reader: it must never panic nor return more than Max bytes, a cut
// frame holds exactly Max bytes, and every whole frame it returns, written
// again with octet counting, reads back the same.
// Run with: go test -fuzz FuzzFrameReader ./internal/inputs/
func FuzzFrameReader(f *testing.F) {
	f.Add([]byte("5 <1>ab3 <2>"), 8)
	f.Add([]byte("<13>1 - h a - - - x\n<14>y\r\n"), 64)
	f.Add([]byte("99999999999 x"), 16)
	f.Add([]byte("\x00\n 12 <1>456789012"), 4)
	f.Fuzz(func(t *testing.T, in []byte, max int) {
		if max <= 0 || max > 1<<16 {
			return
		}
		fr := NewFrameReader(bufio.NewReaderSize(bytes.NewReader(in), 16), max)
		for range 1024 {
			frame, cut, err := fr.Next()
			if err != nil {
				return
			}
			if len(frame) > max || len(frame) == 0 || cut > 0 && (len(frame) != max || cut <= max) {
				t.Fatalf("frame of %d bytes, cut %d, max %d", len(frame), cut, max)
			}
			if cut > 0 {
				continue
			}
			back := strconv.AppendInt(nil, int64(len(frame)), 10)
			back = append(append(back, ' '), frame...)
			again, _, err := NewFrameReader(bufio.NewReader(bytes.NewReader(back)), max).Next()
			if err != nil || !bytes.Equal(again, frame) {
				t.Fatalf("frame %q read back as %q, %v", frame, again, err)
			}
		}
	})
}
