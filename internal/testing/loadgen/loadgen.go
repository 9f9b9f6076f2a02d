// Package loadgen writes realistic GitLab log files for benchmarks: the
// audit_json.log, application_json.log, nginx gitlab_access.log and
// auth_json.log (Rack::Attack) shapes
// described in the project's format notes, with varied keys, values and line
// lengths. Output is a pure function of the seed, so two runs with the same
// Options produce the same bytes.
package loadgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Options says what to generate. Generation stops when Lines lines have been
// written or, if Bytes is set, as soon as at least Bytes bytes have been
// written, whichever comes first. At least one of the two must be positive.
type Options struct {
	Type  parser.Type // TypeAudit, TypeApplication, TypeAccess or TypeAuth
	Lines int         // number of lines; 0 means no line limit
	Bytes int64       // approximate size in bytes (whole lines); 0 means no size limit
	Seed  uint64      // same seed, same output
	Mix   Mix         // how audit events are spread over kinds; MixSecurity when zero
}

// Mix says how generated audit events are spread over the kinds of event
// the generator knows.
type Mix uint8

const (
	// MixSecurity spreads audit events over the security events detections
	// look at (sign-ins 40%, visibility 12%, members 28%, impersonation
	// starts and stops 6%, tokens 7%, projects moved 4%, actions under
	// impersonation 3%) among 12 users: attack-heavy, every rule has work.
	MixSecurity Mix = iota
	// MixRealistic is the traffic of an ordinary instance: sign-ins 65%,
	// member changes 28%, projects moved between groups 4.4%, token
	// creations 1.5%, visibility changes 1%, impersonation starts and
	// stops 0.08% (root impersonates one user at a time: a start, then its
	// stop) and actions under impersonation 0.02%, by 5,000 users plus the
	// 12 named ones (one line in ten).
	MixRealistic
)

// Stats describes what Write produced.
type Stats struct {
	Lines int   // lines written, each ending in "\n"
	Bytes int64 // bytes written, newlines included
}

// Write generates lines as opts says and writes them to w.
func Write(w io.Writer, opts Options) (Stats, error) {
	if opts.Lines <= 0 && opts.Bytes <= 0 {
		return Stats{}, fmt.Errorf("loadgen: neither Lines nor Bytes is positive: nothing to generate")
	}
	g, err := NewGenerator(opts.Type, opts.Seed)
	if err != nil {
		return Stats{}, err
	}
	g.SetMix(opts.Mix)
	bw := bufio.NewWriterSize(w, 1<<20)
	var st Stats
	line := make([]byte, 0, 4096)
	for (opts.Lines <= 0 || st.Lines < opts.Lines) && (opts.Bytes <= 0 || st.Bytes < opts.Bytes) {
		line = g.AppendLine(line[:0])
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return st, fmt.Errorf("loadgen: write line %d: %w", st.Lines+1, err)
		}
		st.Lines++
		st.Bytes += int64(len(line))
	}
	if err := bw.Flush(); err != nil {
		return st, fmt.Errorf("loadgen: flush after %d lines: %w", st.Lines, err)
	}
	return st, nil
}

// WriteFile generates a file at path (created or truncated) as opts says.
func WriteFile(path string, opts Options) (Stats, error) {
	f, err := os.Create(path)
	if err != nil {
		return Stats{}, fmt.Errorf("loadgen: %w", err)
	}
	st, err := Write(f, opts)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("loadgen: close %s: %w", path, cerr)
	}
	if err != nil {
		return st, fmt.Errorf("loadgen: generate %s: %w", path, err)
	}
	return st, nil
}

// A Generator produces one log line at a time. It is not safe for concurrent
// use. Its clock starts at a fixed instant and advances by a few milliseconds
// per line.
type Generator struct {
	typ  parser.Type
	rng  *rand.Rand
	now  time.Time
	seq  int64 // running id for audit events and similar counters
	tbuf []byte
	mix  Mix
	pop  []user // MixRealistic's user population
	// MixRealistic's impersonation session: open, and its user.
	impOpen bool
	impUser user
}

// SetMix sets how audit events are spread over kinds (MixSecurity by
// default).
func (g *Generator) SetMix(m Mix) {
	g.mix = m
	if m == MixRealistic && g.pop == nil {
		g.pop = make([]user, 5000)
		for i := range g.pop {
			n := strconv.Itoa(10000 + i)
			g.pop[i] = user{id: int64(10000 + i), username: "user" + n, name: "User " + n, email: "user" + n + "@example.com"}
		}
	}
}

// epoch is the time of the first generated line.
var epoch = time.Date(2024, 5, 31, 14, 0, 0, 0, time.UTC)

// NewGenerator returns a Generator of lines of type t seeded with seed.
func NewGenerator(t parser.Type, seed uint64) (*Generator, error) {
	switch t {
	case parser.TypeAudit, parser.TypeApplication, parser.TypeAccess, parser.TypeAuth:
	default:
		return nil, fmt.Errorf("loadgen: cannot generate log type %q (want audit, application, access or auth)", t)
	}
	return &Generator{
		typ: t,
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		now: epoch,
		seq: 1000,
	}, nil
}

// Type returns the log type the Generator writes.
func (g *Generator) Type() parser.Type { return g.typ }

// AppendLine appends one line, without its newline, to dst and returns the
// extended slice.
func (g *Generator) AppendLine(dst []byte) []byte {
	g.now = g.now.Add(time.Duration(g.rng.IntN(40)+1) * time.Millisecond)
	g.seq++
	switch g.typ {
	case parser.TypeAudit:
		return g.appendAudit(dst)
	case parser.TypeApplication:
		return g.appendApplication(dst)
	case parser.TypeAuth:
		return g.appendAuth(dst)
	default:
		return g.appendAccess(dst)
	}
}

// pick returns a random element of list.
func pick[T any](g *Generator, list []T) T { return list[g.rng.IntN(len(list))] }

// chance reports true with probability pct/100.
func (g *Generator) chance(pct int) bool { return g.rng.IntN(100) < pct }
