package forwarder

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
		{"open answer", string(appendRELPFrame(nil, 1, "rsp", []byte(openAnswer))), 1, "rsp",
			openAnswer, nil},
		{"serverclose without data", "0 serverclose 0\n", 0, "serverclose", "", nil},
		{"largest txnr", "999999999 rsp 6 200 OK\n", 999999999, "rsp", "200 OK", nil},
		{"ten digit txnr", "1000000000 rsp 6 200 OK\n", 0, "", "", errRELPFrame},
		{"no command", "1  6 200 OK\n", 0, "", "", errRELPFrame},
		{"digit in command", "1 rs2 6 200 OK\n", 0, "", "", errRELPFrame},
		{"long command", "1 " + strings.Repeat("a", 33) + " 0\n", 0, "", "", errRELPFrame},
		{"letter txnr", "x rsp 6 200 OK\n", 0, "", "", errRELPFrame},
		{"negative datalen", "1 rsp -6 200 OK\n", 0, "", "", errRELPFrame},
		{"datalen without data", "1 rsp 6\n", 0, "", "", errRELPFrame},
		{"datalen too short", "1 rsp 3 200 OK\n", 0, "", "", errRELPFrame},
		{"no trailer", "1 rsp 6 200 OKX", 0, "", "", errRELPFrame},
		{"oversize", "1 rsp 999999999 x", 0, "", "", errRELPFrame},
		{"cut in data", "1 rsp 6 200", 0, "", "", io.ErrUnexpectedEOF},
		{"cut in txnr", "12", 0, "", "", io.ErrUnexpectedEOF},
		{"empty", "", 0, "", "", io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, err := readRELPFrame(bufio.NewReader(strings.NewReader(tt.in)), nil)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.txnr != tt.txnr || f.command != tt.command || string(f.data) != tt.data {
				t.Fatalf("got %d %q %q, want %d %q %q", f.txnr, f.command, f.data, tt.txnr, tt.command, tt.data)
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
		code, text, err := relpStatus([]byte(tt.in))
		if (err != nil) != tt.bad || code != tt.code || text != tt.text {
			t.Errorf("relpStatus(%q) = %d %q %v, want %d %q bad=%v", tt.in, code, text, err, tt.code, tt.text, tt.bad)
		}
	}
}

// TestRELPFrameRoundTrip writes frames with appendRELPFrame and reads them
// back.
func TestRELPFrameRoundTrip(t *testing.T) {
	var buf []byte
	datas := []string{"", "200 OK", "a\nb\n", strings.Repeat("x", 5000)}
	for i, d := range datas {
		buf = appendRELPFrame(buf, i+1, "rsp", []byte(d))
	}
	r := bufio.NewReader(bytes.NewReader(buf))
	var scratch []byte
	for i, d := range datas {
		var f relpFrame
		var err error
		f, scratch, err = readRELPFrame(r, scratch)
		if err != nil || f.txnr != i+1 || f.command != "rsp" || string(f.data) != d {
			t.Fatalf("frame %d: %d %q %q %v", i, f.txnr, f.command, f.data, err)
		}
	}
	if _, _, err := readRELPFrame(r, scratch); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
}

// FuzzReadRELPFrame feeds arbitrary bytes to the reader of the receiver's
// frames: it must never panic, never return data over relpMaxResponse,
// and every frame it accepts, written again by appendRELPFrame, must read
// back the same. Run with: go test -fuzz FuzzReadRELPFrame ./forwarder/
func FuzzReadRELPFrame(f *testing.F) {
	f.Add([]byte("1 rsp 6 200 OK\n2 rsp 6 200 OK\n"))
	f.Add(appendRELPFrame(nil, 1, "rsp", []byte(openAnswer)))
	f.Add([]byte("0 serverclose 0\n"))
	f.Add([]byte("3 rsp 21 500 transaction error\n"))
	f.Add([]byte("999999999 rsp 999999999 "))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReader(bytes.NewReader(in))
		var scratch []byte
		for range 64 {
			fr, s, err := readRELPFrame(r, scratch)
			scratch = s
			if err != nil {
				return
			}
			if len(fr.data) > relpMaxResponse || fr.txnr > relpMaxTxnr || fr.command == "" {
				t.Fatalf("accepted %d %q with %d bytes", fr.txnr, fr.command, len(fr.data))
			}
			back := appendRELPFrame(nil, fr.txnr, fr.command, fr.data)
			again, _, err := readRELPFrame(bufio.NewReader(bytes.NewReader(back)), nil)
			if err != nil || again.txnr != fr.txnr || again.command != fr.command || !bytes.Equal(again.data, fr.data) {
				t.Fatalf("frame %q read back as %d %q %q %v", back, again.txnr, again.command, again.data, err)
			}
			_ = relpAnswer(fr)
		}
	})
}

func TestRELPOffers(t *testing.T) {
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
		if got := relpOffers([]byte(tt.data), tt.name, tt.value); got != tt.want {
			t.Errorf("relpOffers(%q, %s, %s) = %v, want %v", tt.data, tt.name, tt.value, got, tt.want)
		}
	}
}
