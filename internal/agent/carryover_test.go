package agent

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// TestCarryOverMatchesDecoder: the parts source.carryOver finds pending
// after each batch, and where it holds the checkpoint, are those of one
// Decoder that decodes the whole file in order, as the workers do (blank
// lines skipped), for random CRI, Docker and Auto files of interleaved
// stdout and stderr records, parts, records that do not decode, blank and
// plain lines, cut into random batches. The hold is where the earliest
// pending part begins: of stdout, and of stderr too when its lines are
// forwarded (other_subcomponents: forward).
func TestCarryOverMatchesDecoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	file := tailer.FileID{Dev: 1, Ino: 2}
	for iter := range 600 {
		format := []container.Format{container.CRI, container.Docker, container.Auto}[iter%3]
		pErr := []float64{0, 0.1, 0.5, 0.9, 1}[rng.IntN(5)]
		pPart := []float64{0.05, 0.3, 0.7}[rng.IntN(3)]
		var lines []string
		var cut []bool
		for i := range 60 {
			lines = append(lines, randomLine(rng, format, i, pErr, pPart))
			cut = append(cut, rng.IntN(30) == 0)
		}
		s := &source{format: format, scout: container.Decoder{Format: format}}
		forward := iter%2 == 1
		if forward {
			s.cfg.OtherSubcomponents = "forward"
		}
		ref := container.Decoder{Format: format}
		var want, before container.Carry
		start := [2]int{-1, -1} // the first pending part of each stream, in lines
		var offsets []int64     // where each line begins
		var off int64
		for _, l := range lines {
			offsets = append(offsets, off)
			off += int64(len(l)) + 1
		}
		var trace strings.Builder
		for from := 0; from < len(lines); {
			to := min(len(lines), from+1+rng.IntN(8))
			tb := &tailer.Batch{File: file, Start: offsets[from]}
			for i := from; i < to; i++ {
				tb.Data = append(tb.Data, lines[i]...)
				tb.Ends = append(tb.Ends, len(tb.Data))
				tb.Offsets = append(tb.Offsets, offsets[i]+int64(len(lines[i]))+1)
				if cut[i] {
					tb.Cut = append(tb.Cut, i-from)
				}
				fmt.Fprintf(&trace, "%d cut=%v %s\n", i, cut[i], lines[i])
				if len(bytes.TrimSpace([]byte(lines[i]))) == 0 {
					continue
				}
				if x, partial, ok := refRecord(format, []byte(lines[i])); ok {
					switch {
					case !partial:
						start[x] = -1
					case start[x] < 0:
						start[x] = i
					}
				}
				ref.DecodeCut([]byte(lines[i]), cut[i])
			}
			fmt.Fprintf(&trace, "-- batch end\n")
			before = container.Carry{Stdout: bytes.Clone(want.Stdout), Stderr: bytes.Clone(want.Stderr),
				StdoutSealed: want.StdoutSealed, StderrSealed: want.StderrSealed}
			ref.AppendCarry(&want)
			sl := &slot{tb: tb}
			s.carryOver(sl)
			wantHold := int64(-1)
			for x, p := range [][]byte{want.Stdout, want.Stderr} {
				if x == container.Stderr && !forward {
					continue
				}
				if len(p) > 0 && (wantHold < 0 || offsets[start[x]] < wantHold) {
					wantHold = offsets[start[x]]
				}
			}
			gotHold := int64(-1)
			if !s.hold.IsZero() {
				gotHold = s.hold.Offset
			}
			switch {
			case !bytes.Equal(s.carry.Stdout, want.Stdout) || !bytes.Equal(s.carry.Stderr, want.Stderr) ||
				s.carry.StdoutSealed != want.StdoutSealed || s.carry.StderrSealed != want.StderrSealed:
				t.Fatalf("%s file %d: carry after line %d: got %q %q sealed %v %v, want %q %q sealed %v %v\n%s", format, iter, to-1,
					s.carry.Stdout, s.carry.Stderr, s.carry.StdoutSealed, s.carry.StderrSealed,
					want.Stdout, want.Stderr, want.StdoutSealed, want.StderrSealed, trace.String())
			case gotHold != wantHold || sl.hold != s.hold:
				t.Fatalf("%s file %d: hold after line %d: got %d (slot %v), want %d\n%s", format, iter, to-1, gotHold, sl.hold, wantHold, trace.String())
			case !bytes.Equal(sl.carry.Stdout, before.Stdout) || !bytes.Equal(sl.carry.Stderr, before.Stderr) ||
				sl.carry.StdoutSealed != before.StdoutSealed || sl.carry.StderrSealed != before.StderrSealed:
				t.Fatalf("%s file %d: slot's carry %q %q sealed %v %v, want %q %q sealed %v %v", format, iter,
					sl.carry.Stdout, sl.carry.Stderr, sl.carry.StdoutSealed, sl.carry.StderrSealed,
					before.Stdout, before.Stderr, before.StdoutSealed, before.StderrSealed)
			}
			from = to
		}
	}
}

// randomLine returns a line of a file in format: mostly records of stderr
// (with probability pErr) or stdout, parts with probability pPart, some
// that do not decode, blank lines, and plain lines in Auto.
func randomLine(rng *rand.Rand, format container.Format, i int, pErr, pPart float64) string {
	stream := "stdout"
	if rng.Float64() < pErr {
		stream = "stderr"
	}
	partial := rng.Float64() < pPart
	text := fmt.Sprintf("t%d", i)
	f := format
	if f == container.Auto {
		f = []container.Format{container.CRI, container.Docker, container.Plain}[rng.IntN(3)]
	}
	switch n := rng.IntN(20); {
	case n == 0:
		return []string{"", "  "}[rng.IntN(2)]
	case n == 1:
		return "not a record " + stream + " P " + text
	case n == 2 && f == container.CRI:
		return "2024-05-01T12:00:00.1Z stdin P " + text
	case n == 2 && f == container.Docker:
		return `{"log":"` + text + `","stream":"` + stream + `"`
	}
	switch f {
	case container.CRI:
		tag := "F"
		if partial {
			tag = "P"
		}
		return "2024-05-01T12:00:00.1Z " + stream + " " + tag + " " + text
	case container.Docker:
		if !partial {
			text += `\n`
		}
		return `{"log":"` + text + `","stream":"` + stream + `","time":"2024-05-01T12:00:00.1Z"}`
	}
	return "plain " + text
}

// refRecord is the stream (0 stdout, 1 stderr) a line of format is
// joined to and whether it is a part, ok false when it does not decode,
// found as Decoder.DecodeCut finds it.
func refRecord(format container.Format, line []byte) (stream int, partial, ok bool) {
	f := format
	if f == container.Auto {
		f = container.Sniff(line)
	}
	var r container.Record
	var err error
	switch f {
	case container.CRI:
		r, err = container.ParseCRI(line)
	case container.Docker:
		r, _, err = container.ParseDocker(line, nil)
	default:
		return 0, false, true
	}
	if err != nil {
		return 0, false, false
	}
	if string(r.Stream) == "stderr" {
		return 1, r.Partial, true
	}
	return 0, r.Partial, true
}
