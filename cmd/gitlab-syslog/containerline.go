package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
)

// Why a container runtime's record is not parsed by parse, send and detect,
// which read GitLab's own lines; run unwraps them (a source's format).
var (
	errCRIRecord = errors.New("a CRI container log record (containerd, CRI-O: <time> <stream> <tag> <line>), not a GitLab line: " +
		"parse and detect read GitLab's own lines; read a container log with run, a source with format: cri (or auto), or send it with send --format cri")
	errDockerRecord = errors.New(`a Docker json-file container log record ({"log":...,"stream":...,"time":...}), not a GitLab line: ` +
		"parse and detect read GitLab's own lines; read a container log with run, a source with format: docker (or auto), or send it with send --format docker")
)

// containerRecordError returns why line, a record of a container runtime's
// log file (a CRI record or a Docker json-file record, as container.Sniff
// tells them), is not a GitLab line, and nil for any other line.
func containerRecordError(line []byte) error {
	switch container.Sniff(line) {
	case container.CRI:
		return errCRIRecord
	case container.Docker:
		return errDockerRecord
	}
	return nil
}

// containerRecords counts the lines of one or more inputs that are a
// container runtime's records (containerRecordError), and which formats
// they are, so that the summary that no line parsed can say why.
type containerRecords struct {
	n           int
	cri, docker bool
}

// add counts line when it is a container runtime's record.
func (r *containerRecords) add(line []byte) {
	switch container.Sniff(line) {
	case container.CRI:
		r.cri = true
	case container.Docker:
		r.docker = true
	default:
		return
	}
	r.n++
}

// most reports whether more than half of the of lines that did not parse
// are a container runtime's records: their cause, not a question whether
// the input is a GitLab log, is then the summary's.
func (r *containerRecords) most(of int) bool { return r.n > 0 && 2*r.n > of }

// cause says what the records among the of lines that did not parse are
// and how to read the GitLab lines in them: "they are CRI container log
// records ..., not GitLab lines: ...; read the container logs with run, a
// source with format: cri (or auto)", or "15 of them are ..." when not
// all are.
func (r *containerRecords) cause(of int) string {
	they := "they are"
	if r.n < of {
		they = fmt.Sprintf("%d of them are", r.n)
	}
	kind, format := "CRI container log records (containerd, CRI-O)", "cri (or auto)"
	switch {
	case r.cri && r.docker:
		kind, format = "CRI and Docker json-file container log records", "auto"
	case r.docker:
		kind, format = "Docker json-file container log records", "docker (or auto)"
	}
	return fmt.Sprintf("%s %s, not GitLab lines: parse and detect read GitLab's own lines; "+
		"run unwraps the GitLab lines in them: read the container logs with run, a source with format: %s, or send them with send --format %s", they, kind, format, strings.Fields(format)[0])
}

// lineCause is why line did not parse: nulLineError's cause for a line of
// only NUL bytes, containerRecordError's for a container runtime's record,
// err otherwise.
func lineCause(line []byte, err error) error {
	if cerr := notGitLabLine(line); cerr != nil {
		return cerr
	}
	return err
}

// notGitLabLine returns why line is no GitLab line whatever its type
// (nulLineError, containerRecordError), nil for any other line.
func notGitLabLine(line []byte) error {
	if err := nulLineError(line); err != nil {
		return err
	}
	return containerRecordError(line)
}

// nulLineError returns, for a line of only NUL bytes (and blanks), that it
// is the padding a crash or a copytruncate leaves in a file, which the
// parsers would call an empty line, with the number of NUL bytes unless
// the line is one NUL (maybe what a longer run was cut to); nil for any
// other line.
func nulLineError(line []byte) error {
	nul := 0
	for _, b := range line {
		switch b {
		case 0:
			nul++
		case ' ', '\t', '\r':
		default:
			return nil
		}
	}
	const cause = "the padding a crash or a copytruncate leaves in a log file, not a log line"
	switch {
	case nul == 0:
		return nil
	case len(line) == 1:
		// Padding longer than the line limit is read as one NUL
		// (nulrun.Cut): its length is not known here.
		return errors.New("a line of only NUL bytes: " + cause)
	}
	return fmt.Errorf("a line of only NUL bytes (%d %s): %s", nul, plural(nul, "byte", "bytes"), cause)
}

// notRecord reports whether err, a container.Decoder's error, says that a
// line is no record of the format read (container.ErrCRI,
// container.ErrDocker), not that a record's gitlab-logger envelope did
// not decode.
func notRecord(err error) bool {
	return errors.Is(err, container.ErrCRI) || errors.Is(err, container.ErrDocker)
}

// recordsOf names n records of the container format f, as the summary
// and the warnings say what a line was not: "a CRI container log record"
// for n 1, else "CRI container log records".
func recordsOf(f container.Format, n int) string {
	kind := "container log record"
	switch f {
	case container.CRI:
		kind = "CRI container log record"
	case container.Docker:
		kind = "Docker json-file container log record"
	}
	return plural(n, "a "+kind, kind+"s")
}

// notRecordLines counts the lines of one input that are no record of the
// container format read (--format cri or docker: plain GitLab lines,
// other text), which send sends raw as run does, and keeps the first:
// its number and why.
type notRecordLines struct {
	n     int    // lines that are no record
	first int    // the 1-based line number of the first
	cause string // why the first is none
}

// warning says how many of the read lines of the input label are no
// record of the format f, that they were sent raw, names the first as
// "LABEL:LINE: CAUSE", and, for --format cri or docker, which format
// reads them; "" when there is none.
func (r *notRecordLines) warning(label string, read int, f container.Format) string {
	if r.n == 0 {
		return ""
	}
	what := fmt.Sprintf("%d of the %d lines of %s are not %s (--format %s) and were sent raw, as they are, as run sends them; the first: %s:%d: %s",
		r.n, read, label, recordsOf(f, r.n), f, label, r.first, r.cause)
	if r.n == 1 {
		what = fmt.Sprintf("1 of the %d %s of %s is not %s (--format %s) and was sent raw, as it is, as run sends such a line: %s:%d: %s",
			read, plural(read, "line", "lines"), label, recordsOf(f, 1), f, label, r.first, r.cause)
	}
	if f == container.Auto {
		return what
	}
	return what + ". If the file holds GitLab's own lines, give --format plain; if it mixes records and plain lines, --format auto (a line that is no record is then read as a plain line)"
}
