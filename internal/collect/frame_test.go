package collect

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

func TestReadFrames(t *testing.T) {
	big := strings.Repeat("x", 100<<10) // far over go-syslog v3's 8 KiB
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr string
	}{
		{"octet", "6 <1>1 a7 <2>1 bc", []string{"<1>1 a", "<2>1 bc"}, ""},
		{"lf", "<1>1 a\n<2>1 b\n", []string{"<1>1 a", "<2>1 b"}, ""},
		{"mixed per frame", "6 <1>1 a<2>1 b\n7 <3>1 c\n", []string{"<1>1 a", "<2>1 b", "<3>1 c\n"}, ""},
		{"octet keeps newlines", "9 <1>1 a\nb\n", []string{"<1>1 a\nb\n"}, ""},
		{"big octet frame", "102400 " + big, []string{big}, ""},
		{"big lf frame", "<" + big + "\n", []string{"<" + big}, ""},
		{"last lf frame without LF", "<1>1 a", []string{"<1>1 a"}, ""},
		{"CRLF: the CR goes with the LF", "<1>1 a\r\n<2>1 b\r\r\n", []string{"<1>1 a", "<2>1 b\r"}, ""},
		{"octet keeps CRLF", "8 <1>1 a\r\n", []string{"<1>1 a\r\n"}, ""},
		{"stray separators", "\r\n\x00 6 <1>1 a\n\n", []string{"<1>1 a"}, ""},
		{"NUL trailers", "6 <1>1 a\x006 <2>1 b\x00", []string{"<1>1 a", "<2>1 b"}, ""},
		{"NULs starting a line are kept", "\x00\x00lead\nx\x00y\n\x00<1>1 a\n", []string{"\x00\x00lead", "x\x00y", "\x00<1>1 a"}, ""},
		{"truncated octet frame", "10 <1>1", nil, "unexpected EOF"},
		{"bad length", "12x <1>", nil, "bad octet-counting frame"},
		{"too big", "99999999999 x", nil, "collect: octet-counting frame of more than 1048576 bytes, the most accepted (MSG-LEN 9999999...): a message that large, or a sender whose frames are not MSG-LEN SP MSG"},
		{"too big lf frame", "<" + strings.Repeat("x", 1<<20) + "\n", nil, "collect: frame of more than 1048576 bytes, the most accepted, without a newline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := ReadFrames(bufio.NewReaderSize(strings.NewReader(tt.in), 16), 1<<20, func(b []byte) {
				got = append(got, string(b))
			})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d frames %q, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("frame %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestParse(t *testing.T) {
	ps := newParsers()
	tests := []struct {
		in                    string
		format, app, msg, sdv string
	}{
		{`<190>1 2026-08-22T10:00:00.123456Z h GitLab-Audit-Logs - audit [gitlab@32473 k="a\"b\]c\\d"] {"x":1}`, "rfc5424", "GitLab-Audit-Logs", `{"x":1}`, `a"b]c\d`},
		{"<190>1 - h app - - - bad \xff utf8", "rfc5424", "app", "bad \xff utf8", ""},
		{"<190>1 - h app - - [x@1 k=\"v\"] \xff", "rfc5424", "app", "\xff", ""},
		{"<190>Nov  2 03:04:05 gl GitLab-Access-Logs: GET / 200", "rfc3164", "GitLab-Access-Logs", "GET / 200", ""},
		{"garbage", "", "", "garbage", ""},
	}
	for _, tt := range tests {
		m := ps.parse([]byte(tt.in))
		if m.Format != tt.format || m.AppName != tt.app || m.Message != tt.msg || !bytes.Equal(m.Raw, []byte(tt.in)) {
			t.Errorf("parse(%q) = format %q app %q msg %q err %v", tt.in, m.Format, m.AppName, m.Message, m.Err)
		}
		if tt.sdv != "" && m.StructuredData["gitlab@32473"]["k"] != tt.sdv {
			t.Errorf("parse(%q) SD = %v", tt.in, m.StructuredData)
		}
	}
}
