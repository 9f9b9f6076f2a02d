package forwarder

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// parseOctet splits octet-counted frames; it fails on anything else.
func parseOctet(t *testing.T, p []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(p) > 0 {
		sp := bytes.IndexByte(p, ' ')
		if sp <= 0 || p[0] == '0' {
			t.Fatalf("bad octet count at %q", trunc(p))
		}
		n, err := strconv.Atoi(string(p[:sp]))
		if err != nil || sp+1+n > len(p) {
			t.Fatalf("bad octet count %q", p[:sp])
		}
		out = append(out, p[sp+1:sp+1+n])
		p = p[sp+1+n:]
	}
	return out
}

// TestBatchFraming appends messages whose octet counts change width in both
// directions and checks the batch's buffer in every framing and after every
// re-framing: the frames, Message, Size and the escaped-LF count.
func TestBatchFraming(t *testing.T) {
	var e Encoder
	var msgs []Message
	for _, n := range []int{0, 5, 80, 900, 5, 12000, 3, 100000, 950, 960, 1, 0} {
		msgs = append(msgs, Message{AppName: "a", Msg: []byte(strings.Repeat("m", n))})
	}
	msgs = append(msgs, Message{AppName: "lf", Params: benchMessage().Params, Msg: []byte("one\ntwo\r\n\nthree\rfour")})
	want := make([][]byte, len(msgs))
	size := 0
	for i := range msgs {
		want[i] = e.Append(nil, &msgs[i])
		size += len(want[i])
	}
	// Newline framing replaces LF and CR bytes by spaces for good; escaped counts
	// the messages it changed when it did so.
	check := func(t *testing.T, b *Batch, fr framing, lfGone bool, wantEscaped int) {
		t.Helper()
		if b.Len() != len(msgs) || b.Size() != size {
			t.Fatalf("Len, Size = %d, %d; want %d, %d", b.Len(), b.Size(), len(msgs), size)
		}
		var frames [][]byte
		switch fr {
		case framingOctet:
			frames = parseOctet(t, b.buf)
		case framingLF:
			frames = bytes.SplitAfter(b.buf, []byte("\n"))
			frames = frames[:len(frames)-1] // after the last LF
			for i := range frames {
				frames[i] = bytes.TrimSuffix(frames[i], []byte("\n"))
			}
		case framingDatagram:
			if b.Size() != len(b.buf) {
				t.Fatalf("datagram batch holds %d bytes for %d of messages", len(b.buf), b.Size())
			}
			for i := range b.Len() {
				frames = append(frames, b.Message(i))
			}
		}
		if len(frames) != len(want) {
			t.Fatalf("%d frames, want %d", len(frames), len(want))
		}
		for i := range want {
			w := want[i]
			if lfGone {
				w = oneLine(w)
			}
			if !bytes.Equal(frames[i], w) || !bytes.Equal(b.Message(i), w) {
				t.Fatalf("message %d: frame %q, Message %q, want %q", i, trunc(frames[i]), trunc(b.Message(i)), trunc(w))
			}
		}
		if b.escaped != wantEscaped {
			t.Errorf("escaped = %d, want %d", b.escaped, wantEscaped)
		}
	}
	for _, first := range []framing{framingOctet, framingLF, framingDatagram} {
		for _, then := range []framing{framingOctet, framingLF, framingDatagram} {
			t.Run(strconv.Itoa(int(first))+"to"+strconv.Itoa(int(then)), func(t *testing.T) {
				b := Batch{framing: first}
				for i := range msgs {
					b.Append(&e, &msgs[i])
				}
				lf := first == framingLF
				check(t, &b, first, lf, btoi(lf))
				if then != first { // as the writer: only on a change
					b.reframe(then)
				}
				esc := btoi(then == framingLF && !lf || then == first && lf)
				lf = lf || then == framingLF
				check(t, &b, then, lf, esc)
				b.Reset()
				if b.Len() != 0 || b.Size() != 0 || len(b.buf) != 0 {
					t.Fatalf("Reset left %d messages, %d bytes", b.Len(), len(b.buf))
				}
				for i := range msgs { // the batch keeps its new framing
					b.Append(&e, &msgs[i])
				}
				check(t, &b, then, then == framingLF, btoi(then == framingLF))
			})
		}
	}
}

func TestCountWidth(t *testing.T) {
	for _, n := range []int{1, 9, 10, 99, 100, 999, 1000, 65535, 1 << 30} {
		s := strconv.Itoa(n) + " "
		if got := countWidth(n); got != len(s) {
			t.Errorf("countWidth(%d) = %d, want %d", n, got, len(s))
		}
		p := make([]byte, len(s))
		putCount(p, n)
		if string(p) != s {
			t.Errorf("putCount(%d) = %q", n, p)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// oneLine is OneLine's rule written plainly: a copy of m with every LF
// and CR replaced by a space.
func oneLine(m []byte) []byte {
	m = bytes.ReplaceAll(m, []byte("\n"), []byte(" "))
	return bytes.ReplaceAll(m, []byte("\r"), []byte(" "))
}

func TestOneLine(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"no break", "no break"},
		{"a\nb", "a b"},
		{"a\rb", "a b"},
		{"a\r\nb", "a  b"},
		{"\r\n\n\r", "    "},
		{"cr first\r then lf\n", "cr first  then lf "},
		{"lf first\n then cr\r", "lf first  then cr "},
		{"é\n\x00]", "é \x00]"},
	} {
		m := []byte(tt.in)
		changed := OneLine(m)
		if string(m) != tt.want || changed != (tt.in != tt.want) {
			t.Errorf("OneLine(%q) = %q, %v; want %q, %v", tt.in, m, changed, tt.want, tt.in != tt.want)
		}
	}
}

// TestBatchRemoveLast: in every framing, a message appended and removed
// leaves the batch as if it had never been appended (its buffer, spans,
// size and escaped-LF count), whether its octet count was wider or
// narrower than the one before or its line breaks were escaped, and the
// batch takes further messages as before.
func TestBatchRemoveLast(t *testing.T) {
	var e Encoder
	msg := func(n int, s string) Message {
		return Message{AppName: "a", Msg: []byte(strings.Repeat("m", n) + s)}
	}
	base := []Message{msg(5, ""), msg(900, "x\ny")}
	for _, fr := range []framing{framingOctet, framingLF, framingDatagram} {
		for _, extra := range []Message{msg(3, ""), msg(12000, ""), msg(50, "a\r\nb")} {
			t.Run(strconv.Itoa(int(fr))+"/"+strconv.Itoa(len(extra.Msg)), func(t *testing.T) {
				want, got := Batch{framing: fr}, Batch{framing: fr}
				for i := range base {
					want.Append(&e, &base[i])
					got.Append(&e, &base[i])
				}
				got.Append(&e, &extra)
				got.RemoveLast()
				same := func(when string) {
					t.Helper()
					if !bytes.Equal(got.buf, want.buf) || !slices.Equal(got.spans, want.spans) || got.size != want.size || got.escaped != want.escaped {
						t.Fatalf("%s: buf %q, %d spans, size %d, escaped %d; want %q, %d, %d, %d", when,
							trunc(got.buf), len(got.spans), got.size, got.escaped, trunc(want.buf), len(want.spans), want.size, want.escaped)
					}
				}
				same("after RemoveLast")
				last := msg(7, "\n")
				want.Append(&e, &last)
				got.Append(&e, &last)
				same("after a further Append")
			})
		}
	}
	var empty Batch
	empty.RemoveLast()
	if empty.Len() != 0 || len(empty.buf) != 0 {
		t.Errorf("RemoveLast on an empty batch left %d messages", empty.Len())
	}
}

// TestBatchDropsSDOverLimit: with Encoder.MaxMessageBytes, a message
// whose STRUCTURED-DATA makes it longer is written with "-" in its place,
// MSG whole, in every framing, and counted; one that fits, or has no
// STRUCTURED-DATA, is written as it is. A value of 1,000 `]` takes 2,000
// bytes escaped (fresh-user trial 261: a 1 MB line of them made a 5 MB
// message, which a collector with a 4 MiB limit cut or refused, losing
// the messages after it).
func TestBatchDropsSDOverLimit(t *testing.T) {
	line := `{"message":"Failed Login: username=` + strings.Repeat("]", 1000) + `"}`
	msg := Message{AppName: "GitLab-Application-Logs", Msg: []byte(line),
		Params: []parser.Field{{Name: "Username", Value: []byte(strings.Repeat("]", 1000))}}}
	for _, tc := range []struct {
		name  string
		limit int
		noSD  bool // the message as written without STRUCTURED-DATA
	}{
		{"no limit", 0, false},
		{"within the limit", 4000, false},
		{"over the limit", 2500, true},
		{"MSG alone over the limit: whole all the same", 100, true},
	} {
		for _, fr := range []framing{framingOctet, framingLF, framingDatagram} {
			t.Run(tc.name+"/"+strconv.Itoa(int(fr)), func(t *testing.T) {
				e := Encoder{MaxMessageBytes: tc.limit}
				b := Batch{framing: fr}
				b.Append(&e, &msg)
				got := string(b.Message(0))
				full := string(new(Encoder).Append(nil, &msg))
				want := full
				if tc.noSD {
					want = full[:strings.Index(full, " [")] + " - " + line
				}
				if got != want {
					t.Errorf("message %q, want %q", trunc([]byte(got)), trunc([]byte(want)))
				}
				if n, w := e.Stats().SDDropped, map[bool]uint64{true: 1}[tc.noSD]; n != w {
					t.Errorf("SDDropped %d, want %d", n, w)
				}
				if b.Size() != len(want) {
					t.Errorf("Size %d, want %d", b.Size(), len(want))
				}
			})
		}
	}
}
