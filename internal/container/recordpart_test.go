package container

import (
	"bytes"
	"testing"
)

// decodeCutJoin is what DecodeCut does with line as far as joining goes,
// found by decoding it with a part pending on both streams: the stream it
// joined the line to (-1 when that cannot be told: a part with no text),
// whether the line stays pending, and ok false when no joiner saw it.
func decodeCutJoin(f Format, line []byte) (stream int, partial, ok bool) {
	d := Decoder{Format: f}
	d.Seed(&Carry{Stdout: []byte("x"), Stderr: []byte("y")})
	_, st, _ := d.DecodeCut(line, false)
	out, _ := d.j[0].Pending()
	errp, _ := d.j[1].Pending()
	outChanged := !d.j[0].pending || string(out) != "x"
	errChanged := !d.j[1].pending || string(errp) != "y"
	switch {
	case outChanged:
		return Stdout, st == Partial, true
	case errChanged:
		return Stderr, st == Partial, true
	case st == Partial:
		return -1, true, true
	}
	return -1, false, false
}

// TestRecordPart: RecordPart names the joiner DecodeCut adds a line to and
// whether the line stays pending, for CRI and Docker records of stdout and
// stderr, parts and complete ones, records that do not decode, and plain
// lines in Auto; MayJoin never says no to what RecordPart finds.
func TestRecordPart(t *testing.T) {
	const bad = -2 // RecordPart's ok is false
	for _, tc := range []struct {
		f       Format
		line    string
		stream  int
		partial bool
	}{
		{CRI, "2024-05-01T12:00:00.1Z stdout F whole", Stdout, false},
		{CRI, "2024-05-01T12:00:00.1Z stdout P part", Stdout, true},
		{CRI, "2024-05-01T12:00:00.1Z stderr F whole", Stderr, false},
		{CRI, "2024-05-01T12:00:00.1Z stderr P part", Stderr, true},
		{CRI, "2024-05-01T12:00:00.1Z stderr P:x part", Stderr, true},
		{CRI, "2024-05-01T12:00:00.1Z stderr F", Stderr, false},
		{CRI, "2024-05-01T12:00:00.1Z stdin P part", bad, false},
		{CRI, "2024-05-01T12:00:00.1Z stderr X part", bad, false},
		{CRI, "stderr P part", bad, false},
		{CRI, `{"log":"part","stream":"stderr","time":"t"}`, bad, false},
		{CRI, "", bad, false},
		{Docker, `{"log":"whole\n","stream":"stdout","time":"t"}`, Stdout, false},
		{Docker, `{"log":"part","stream":"stdout","time":"t"}`, Stdout, true},
		{Docker, `{"log":"whole\n","stream":"stderr","time":"t"}`, Stderr, false},
		{Docker, `{"log":"part","stream":"stderr","time":"t"}`, Stderr, true},
		{Docker, `{"log":"part","time":"t"}`, Stdout, true},
		{Docker, `{"log":"stderr part","stream":"stdout","time":"t"}`, Stdout, true},
		{Docker, `{"stream":"stderr","log":"part"}`, Stderr, true},
		{Docker, `{"log":"part","stream":"stderr","time":"t"`, bad, false},
		{Docker, `{"stream":"stderr","time":"t"}`, bad, false},
		{Docker, "2024-05-01T12:00:00.1Z stderr P part", bad, false},
		{Docker, `{"log":"part","stream":"stdout"} ,"stream":"stderr","time":"t"}`, bad, false},
		{Docker, `{"log":"part","stream":"stderr","attrs":{"a":"b"},"time":"t"}`, Stderr, true},
		{Docker, `{"log":"part","attrs":{"x":"y","stream":"stderr","time":"t"}}`, Stdout, true},
		{Docker, `{"log":"part\",\"stream\":\"stderr\",\"time\":\"t\"}","stream":"stdout"}`, Stdout, true},
		{Auto, "2024-05-01T12:00:00.1Z stderr P part", Stderr, true},
		{Auto, "2024-05-01T12:00:00.1Z stdout F whole", Stdout, false},
		{Auto, `{"log":"part","stream":"stderr","time":"t"}`, Stderr, true},
		{Auto, `{"log":"part","stream":"stderr"`, bad, false},
		{Auto, `{"severity":"INFO","message":"a plain line"}`, Stdout, false},
		{Auto, "2024-05-01T12:00:00.1Z stderr P", Stderr, true},
		{Auto, "stderr P part", Stdout, false},
		{Plain, "2024-05-01T12:00:00.1Z stderr P part", Stdout, false},
	} {
		d := Decoder{Format: tc.f}
		stream, partial, ok := d.RecordPart([]byte(tc.line))
		if !ok {
			stream = bad
		}
		if stream != tc.stream || ok && partial != tc.partial {
			t.Errorf("%s %q: RecordPart = %d, %v, %v; want stream %d, partial %v", tc.f, tc.line, stream, partial, ok, tc.stream, tc.partial)
		}
		checkRecordPart(t, tc.f, []byte(tc.line))
	}
}

// checkRecordPart checks RecordPart against decodeCutJoin, IsPartial and
// MayJoin for line.
func checkRecordPart(t *testing.T, f Format, line []byte) {
	t.Helper()
	d := Decoder{Format: f}
	stream, partial, ok := d.RecordPart(line)
	if f == Plain {
		return // DecodeCut joins nothing
	}
	ws, wp, wok := decodeCutJoin(f, line)
	if ok != wok || ok && (partial != wp || ws >= 0 && stream != ws) {
		t.Errorf("%s %q: RecordPart = %d, %v, %v; DecodeCut joins it to %d, partial %v, ok %v", f, line, stream, partial, ok, ws, wp, wok)
	}
	if d.IsPartial(line) != (ok && partial) {
		t.Errorf("%s %q: IsPartial = %v", f, line, !(ok && partial))
	}
	if ok && (!d.MayJoin(line, stream, false) || !d.MayJoin(line, stream, partial)) {
		t.Errorf("%s %q: MayJoin(%d, %v) is false for a line RecordPart joins so", f, line, stream, partial)
	}
}

// FuzzRecordPart: RecordPart agrees with DecodeCut on every line and
// format, and MayJoin never says no to what it finds.
func FuzzRecordPart(f *testing.F) {
	f.Add([]byte("2024-05-01T12:00:00.1Z stderr P part"))
	f.Add([]byte(`{"log":"part","stream":"stderr","time":"t"}`))
	f.Add([]byte(`{"log":"a\n","stream":stderr}`))
	f.Add([]byte(`{"log":"part","stream":"stderr"} ","stream":"stdout","time":"t"}`))
	f.Add([]byte(" \t"))
	f.Add([]byte(`{"log":"a\n","stream":"stdout","time":"t"}`))
	f.Add([]byte(`{"log":"a","stream":"stdout","stream":"stderr","time":"t"}`))
	f.Add([]byte(`{"log":"a","x":{"stream":"stdout"},"stream":"stderr","time":"t\"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.IndexByte(line, '\n') >= 0 {
			return // no line of a file
		}
		for _, fm := range []Format{Plain, CRI, Docker, Auto} {
			checkRecordPart(t, fm, line)
		}
	})
}
