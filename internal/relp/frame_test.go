package relp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// openAnswer is shaped as librelp's answer to open: status, then the
// server's offers, one a line.
const openAnswer = "200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,https://librelp.adiscon.com\ncommands=syslog"

func TestReadRELPFrame(t *testing.T) {
	tests := []struct {
		name, in string
		txnr     int
		command  string
		data     string
		err      error // errors.Is target; nil: the frame is valid
	}{
		{"ok", "2 rsp 6 200 OK\n", 2, "rsp", "200 OK", nil},
		{"open answer", string(AppendFrame(nil, 1, "rsp", []byte(openAnswer))), 1, "rsp",
			openAnswer, nil},
		{"serverclose without data", "0 serverclose 0\n", 0, "serverclose", "", nil},
		{"largest txnr", "999999999 rsp 6 200 OK\n", 999999999, "rsp", "200 OK", nil},
		{"ten digit txnr", "1000000000 rsp 6 200 OK\n", 0, "", "", ErrFrame},
		{"no command", "1  6 200 OK\n", 0, "", "", ErrFrame},
		{"digit in command", "1 rs2 6 200 OK\n", 0, "", "", ErrFrame},
		{"long command", "1 " + strings.Repeat("a", 33) + " 0\n", 0, "", "", ErrFrame},
		{"letter txnr", "x rsp 6 200 OK\n", 0, "", "", ErrFrame},
		{"negative datalen", "1 rsp -6 200 OK\n", 0, "", "", ErrFrame},
		{"datalen without data", "1 rsp 6\n", 0, "", "", ErrFrame},
		{"datalen too short", "1 rsp 3 200 OK\n", 0, "", "", ErrFrame},
		{"no trailer", "1 rsp 6 200 OKX", 0, "", "", ErrFrame},
		{"oversize cut", "1 rsp 999999999 x", 0, "", "", io.ErrUnexpectedEOF},
		{"cut in data", "1 rsp 6 200", 0, "", "", io.ErrUnexpectedEOF},
		{"cut in txnr", "12", 0, "", "", io.ErrUnexpectedEOF},
		{"empty", "", 0, "", "", io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, err := ReadFrame(bufio.NewReader(strings.NewReader(tt.in)), nil, MaxResponse)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Txnr != tt.txnr || f.Command != tt.command || string(f.Data) != tt.data {
				t.Fatalf("got %d %q %q, want %d %q %q", f.Txnr, f.Command, f.Data, tt.txnr, tt.command, tt.data)
			}
		})
	}
}

func TestRELPStatus(t *testing.T) {
	tests := []struct {
		in   string
		code int
		text string
		bad  bool
	}{
		{"200 OK", 200, "OK", false},
		{"200 OK\nrelp_version=0", 200, "OK", false},
		{"500 invalid command", 500, "invalid command", false},
		{"500", 500, "", false},
		{"20", 0, "", true},
		{"2000 OK", 0, "", true},
		{"abc OK", 0, "", true},
		{"", 0, "", true},
	}
	for _, tt := range tests {
		code, text, err := Status([]byte(tt.in))
		if (err != nil) != tt.bad || code != tt.code || text != tt.text {
			t.Errorf("Status(%q) = %d %q %v, want %d %q bad=%v", tt.in, code, text, err, tt.code, tt.text, tt.bad)
		}
	}
}

// TestRELPFrameRoundTrip writes frames with AppendFrame and reads them
// back.
func TestRELPFrameRoundTrip(t *testing.T) {
	var buf []byte
	datas := []string{"", "200 OK", "a\nb\n", strings.Repeat("x", 5000)}
	for i, d := range datas {
		buf = AppendFrame(buf, i+1, "rsp", []byte(d))
	}
	r := bufio.NewReader(bytes.NewReader(buf))
	var scratch []byte
	for i, d := range datas {
		var f Frame
		var err error
		f, scratch, err = ReadFrame(r, scratch, MaxResponse)
		if err != nil || f.Txnr != i+1 || f.Command != "rsp" || string(f.Data) != d {
			t.Fatalf("frame %d: %d %q %q %v", i, f.Txnr, f.Command, f.Data, err)
		}
	}
	if _, _, err := ReadFrame(r, scratch, MaxResponse); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
}

// TestReadFrameTruncates: DATA over the bound is cut to it, the rest is
// read past, and the next frame reads whole.
func TestReadFrameTruncates(t *testing.T) {
	in := AppendFrame(nil, 7, "syslog", []byte("0123456789"))
	in = AppendFrame(in, 8, "syslog", []byte("abc"))
	r := bufio.NewReader(bytes.NewReader(in))
	f, _, err := ReadFrame(r, nil, 4)
	if err != nil || f.Txnr != 7 || f.Command != "syslog" || string(f.Data) != "0123" || f.Truncated != 10 {
		t.Fatalf("got %d %q %q truncated %d, %v; want 7 syslog \"0123\" truncated 10", f.Txnr, f.Command, f.Data, f.Truncated, err)
	}
	f, _, err = ReadFrame(r, nil, 4)
	if err != nil || f.Txnr != 8 || string(f.Data) != "abc" || f.Truncated != 0 {
		t.Fatalf("next frame: got %d %q truncated %d, %v", f.Txnr, f.Data, f.Truncated, err)
	}
}

// FuzzReadRELPFrame feeds arbitrary bytes to the reader of the receiver's
// frames: it must never panic, never return data over MaxResponse,
// and every frame it accepts, written again by AppendFrame, must read
// back the same. Run with: go test -fuzz FuzzReadRELPFrame ./internal/relp/
func FuzzReadRELPFrame(f *testing.F) {
	f.Add([]byte("1 rsp 6 200 OK\n2 rsp 6 200 OK\n"))
	f.Add(AppendFrame(nil, 1, "rsp", []byte(openAnswer)))
	f.Add([]byte("0 serverclose 0\n"))
	f.Add([]byte("3 rsp 21 500 transaction error\n"))
	f.Add([]byte("999999999 rsp 999999999 "))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReader(bytes.NewReader(in))
		var scratch []byte
		for range 64 {
			fr, s, err := ReadFrame(r, scratch, MaxResponse)
			scratch = s
			if err != nil {
				return
			}
			if len(fr.Data) > MaxResponse || fr.Txnr > MaxTxnr || fr.Command == "" || fr.Truncated > 0 && len(fr.Data) != MaxResponse {
				t.Fatalf("accepted %d %q with %d bytes", fr.Txnr, fr.Command, len(fr.Data))
			}
			if fr.Truncated > 0 {
				continue
			}
			back := AppendFrame(nil, fr.Txnr, fr.Command, fr.Data)
			again, _, err := ReadFrame(bufio.NewReader(bytes.NewReader(back)), nil, MaxResponse)
			if err != nil || again.Txnr != fr.Txnr || again.Command != fr.Command || !bytes.Equal(again.Data, fr.Data) {
				t.Fatalf("frame %q read back as %d %q %q %v", back, again.Txnr, again.Command, again.Data, err)
			}
		}
	})
}

func TestOffers(t *testing.T) {
	tests := []struct {
		data, name, value string
		want              bool
	}{
		{openAnswer, "commands", "syslog", true},
		{"200 OK\ncommands=eventlog,syslog", "commands", "syslog", true},
		{"200 OK\ncommands=eventlog", "commands", "syslog", false},
		{"200 OK\nrelp_version=0", "commands", "syslog", false},
		{"200 OK\nxcommands=syslog", "commands", "syslog", false},
	}
	for _, tt := range tests {
		if got := Offers([]byte(tt.data), tt.name, tt.value); got != tt.want {
			t.Errorf("Offers(%q, %s, %s) = %v, want %v", tt.data, tt.name, tt.value, got, tt.want)
		}
	}
}

// FuzzReadFrameBounded feeds arbitrary bytes to the frame reader as the
// network inputs' RELP server uses it, with a small DATA bound: it must
// never panic nor keep more than max bytes of DATA; a truncated frame
// keeps exactly max and reports a longer DATALEN; a whole frame written
// again reads back the same.
// Run with: go test -fuzz FuzzReadFrameBounded ./internal/relp/
func FuzzReadFrameBounded(f *testing.F) {
	f.Add([]byte("1 open 40 relp_version=0\nrelp_software=x\ncommands=syslog\n2 syslog 5 <13>x\n"), 4)
	f.Add([]byte("3 syslog 10 0123456789\n4 close 0\n"), 3)
	f.Add([]byte("5 syslog 999999999 "), 8)
	f.Fuzz(func(t *testing.T, in []byte, max int) {
		if max <= 0 || max > 1<<16 {
			return
		}
		r := bufio.NewReaderSize(bytes.NewReader(in), 16)
		var scratch []byte
		for range 256 {
			fr, s, err := ReadFrame(r, scratch, max)
			scratch = s
			if err != nil {
				return
			}
			if len(fr.Data) > max || fr.Truncated > 0 && (len(fr.Data) != max || fr.Truncated <= max) || fr.Command == "" {
				t.Fatalf("frame %d %q: %d bytes kept, truncated %d, max %d", fr.Txnr, fr.Command, len(fr.Data), fr.Truncated, max)
			}
			if fr.Truncated > 0 {
				continue
			}
			back := AppendFrame(nil, fr.Txnr, fr.Command, fr.Data)
			again, _, err := ReadFrame(bufio.NewReader(bytes.NewReader(back)), nil, max)
			if err != nil || again.Txnr != fr.Txnr || again.Command != fr.Command || !bytes.Equal(again.Data, fr.Data) {
				t.Fatalf("frame %q read back as %d %q %q %v", back, again.Txnr, again.Command, again.Data, err)
			}
		}
	})
}
