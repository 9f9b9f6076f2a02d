package main

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitlab-syslog/gitlab-syslog/internal/jsonstr"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// newParseCmd builds "gitlab-syslog parse": parse log lines and print the
// columns of each as one JSON object per line.
func newParseCmd() *cobra.Command {
	var typeName, maxLine string
	cmd := &cobra.Command{
		Use:   "parse [FILE ...]",
		Short: "Parse GitLab log lines and print their columns as JSON, one object per line",
		Long: `parse reads GitLab log lines from the files given (or standard input when
there are none, or for "-"), parses each as the --type says (auto: a file
named as one of GitLab's logs, such as audit_json.log, gitlab_access.log.1
or auth_json.log-20240101.gz, takes its type from its name, as the agent's
sources do; standard input and other files are typed line by line), and prints one
JSON object per line whose keys are the Sentinel column names in column order
(empty columns are left out, and so are typed columns holding "-" or another
non-typed value; an access line's EventTime is RFC 3339 with the logged
offset and TimeLocal the text as logged). Each key is the name send and run
give the column in STRUCTURED-DATA: meta.X is param X of [meta@32473], every
other column a param of [gitlab@32473]; a meta.* key that syslog cannot carry
as it is appears in its short form (README, "STRUCTURED-DATA: where each
column is"). Compressed files and input (logrotate's .gz, or .bz2, .xz
and .zst, recognised by their first bytes) are decompressed transparently;
data that is not log lines (zip, a tar archive, a binary file such as an
executable or an image, known by its first bytes) is an input that cannot
be read.

A line that does not parse prints {"_error":"FILE:LINE: cause","_raw":"line"}
instead. A line longer than --max-line-bytes (default 1MiB) is cut to it,
not parsed, and printed so with its cut text as _raw. The command prints
"parsed N lines, M failed" to standard error, with the lines cut and the
blank lines skipped in brackets when there are any. It exits 0 when at least one
line parsed (or there were none), 1 when lines were read and none of them
parsed, or when an input cannot be read (it is reported and skipped; the
other inputs are still parsed). Blank lines are skipped. Invalid UTF-8 is replaced by U+FFFD
so the output is always valid JSON for jq.
Container logs (the CRI or Docker json-file records of
/var/log/containers) are not unwrapped: each record fails with a cause
saying what it is; read them with run, a source with format: cri, docker
or auto.`,
		Example: `  gitlab-syslog parse --type audit /var/log/gitlab/gitlab-rails/audit_json.log
  gitlab-syslog parse testdata/gitlab_access.log | jq -r .URI
  gitlab-syslog parse --type auth /var/log/gitlab/gitlab-rails/auth_json.log | jq -r 'select(.MatchType=="throttle") | .IPAddress'
  zcat application.log.1.gz | gitlab-syslog parse --type application`,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := newLineParser(typeName)
			if err != nil {
				return err
			}
			if p.maxLine, err = parseMaxLine(maxLine); err != nil {
				return fmt.Errorf("parse: %w", err)
			}
			out := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
			p.out = out
			if len(args) == 0 {
				args = []string{"-"}
			}
			if err := stdinOnce(args); err != nil {
				return fmt.Errorf("parse: %w", err)
			}
			ctx, endProgress := startInputProgress(cmd.Context(), cmd.ErrOrStderr(), args)
			unread, firstErr := 0, error(nil) // inputs that could not be read; the others are still parsed
			for _, name := range args {
				p.byName = parser.TypeUnknown
				if p.auto {
					p.byName = typeByName(name)
				}
				p.startInput()
				label := "standard input"
				err := readLines(ctx, name, cmd.InOrStdin(), true, p.maxLine, func(l string, n int, line []byte, long int) error {
					label = l
					return p.handle(l, n, line, long)
				}, func() error { // a pipe's writer paused: print what was parsed
					if err := out.Flush(); err != nil {
						p.writeErr = fmt.Errorf("write output: %w", err)
						return p.writeErr
					}
					return nil
				})
				p.noteInput(label)
				if w := asReadWarning(err); w != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "gitlab-syslog: parse: %v\n", w)
					err = nil // every line was read
				}
				switch {
				case err == nil:
					p.noteEmpty(inputName(name))
				case p.writeErr != nil || ctx.Err() != nil:
					endProgress()
					out.Flush()
					return fmt.Errorf("parse: %w", err)
				default:
					err = typePrefixHint("parse", name, err)
					unread++
					firstErr = cmp.Or(firstErr, err)
					what := "skipped" // not opened
					if de := (*dataError)(nil); errors.As(err, &de) {
						what = "its lines before the error were parsed" // read in part
					}
					if len(args) > 1 {
						what += "; the other inputs are still parsed"
					}
					fmt.Fprintf(cmd.ErrOrStderr(), "gitlab-syslog: parse: %v (%s)\n", err, what)
				}
			}
			endProgress()
			if err := out.Flush(); err != nil {
				return fmt.Errorf("parse: write output: %w", err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "parsed %d %s, %d failed%s\n", p.lines, plural(p.lines, "line", "lines"), p.failed, p.summaryNotes())
			for _, n := range p.notes {
				fmt.Fprintf(cmd.ErrOrStderr(), "gitlab-syslog: parse: WARNING: %s\n", n)
			}
			if unread > 0 {
				return fmt.Errorf("parse: %d of %d %s could not be read; the first: %w", unread, len(args), plural(len(args), "input", "inputs"), firstErr)
			}
			if p.lines > 0 && p.failed == p.lines {
				if p.cut == p.lines {
					return fmt.Errorf("parse: no line parsed: %s", tooLongHint(p.lines, true, p.maxLine, p.longest))
				}
				cut := ""
				if p.cut > 0 {
					cut = fmt.Sprintf("; %d %s longer than max_line_bytes (%d bytes, --max-line-bytes raises it)", p.cut, plural(p.cut, "was", "were"), p.maxLine)
				}
				if p.records.most(p.lines - p.cut) { // the lines' own cause, not a question
					return fmt.Errorf("parse: no line parsed: %s failed: %s%s", allRead(p.lines), p.records.cause(p.lines-p.cut), cut)
				}
				if p.likeOther == p.lines-p.cut { // each input's warning named the type its lines look like
					return fmt.Errorf("parse: no line parsed: %s failed (read as another type than they look like: the warning above names the type to give%s)", allRead(p.lines), cut)
				}
				return fmt.Errorf("parse: no line parsed: %s failed (%s%s)", allRead(p.lines), noneParsedHint(typeName, p.named, p.perLine), cut)
			}
			return nil
		},
	}
	maxLineFlag(cmd, &maxLine, "cut to it, counted and not parsed")
	cmd.Flags().StringVarP(&typeName, "type", "t", "auto",
		"log type: audit, application, access, auth, or auto (by file name, else per line by content)")
	return cmd
}

// allRead names the n lines read, all of them: "the 1 line read" for
// one, "all n read" for more.
func allRead(n int) string {
	if n == 1 {
		return "the 1 line read"
	}
	return fmt.Sprintf("all %d read", n)
}

// lineParser parses lines and writes the JSON output, reusing its buffers.
type lineParser struct {
	auto    bool
	byName  parser.Type                    // with auto: the current file's type by its name, or TypeUnknown
	parsers [parser.NumTypes]parser.Parser // by parser.Type
	fixed   parser.Parser
	typ     parser.Type // --type, TypeUnknown for auto
	rec     parser.Record
	buf     []byte // output line being built
	out     *bufio.Writer
	lines   int              // lines parsed or failed, blank ones not included
	blank   int              // blank lines (parser.Blank) skipped
	failed  int              // lines printed as an error object, cut ones included
	cut     int              // lines cut to maxLine
	records containerRecords // lines not cut that failed and are a container runtime's records
	longest int              // the length in bytes of the longest line cut
	maxLine int              // max_line_bytes
	// untimed counts the lines parsed without a usable time (no time
	// key, or one that is no time): their EventTime is empty; untimedAt
	// is the first's FILE:LINE.
	untimed   int
	untimedAt string
	// writeErr is the error writing the output, which ends the command;
	// an input that cannot be read only skips that input.
	writeErr error
	// in are the counters when the input being read started, and like
	// its lines that look like another type's than the one they are read
	// as; notes are the warnings about the inputs read (noteInput).
	in    struct{ lines, blank, failed, cut int }
	like  lookAlike
	notes []string
	// likeOther is the lines not cut of the inputs none of whose lines
	// parsed, noted as looking like another type's (noteInput).
	likeOther int
	// named are the inputs with lines that auto typed by their names, as
	// "NAME as TYPE" (noteInput), for noneParsedHint; perLine is whether
	// auto typed the lines of other inputs line by line.
	named   []string
	perLine bool
}

// summaryNotes returns what the summary line adds after "parsed N lines,
// M failed": the lines cut to max_line_bytes and the blank lines skipped,
// in brackets, or "" when there were none.
func (p *lineParser) summaryNotes() string {
	var notes []string
	if p.cut > 0 {
		notes = append(notes, fmt.Sprintf("%d cut to max_line_bytes, %d bytes", p.cut, p.maxLine))
	}
	if p.blank > 0 {
		notes = append(notes, fmt.Sprintf("%d blank %s skipped", p.blank, plural(p.blank, "line", "lines")))
	}
	if p.untimed > 0 {
		notes = append(notes, fmt.Sprintf("%d without a usable time, EventTime left out: the first, %s", p.untimed, p.untimedAt))
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, "; ") + ")"
}

// noteEmpty keeps, for after the summary, the warning that the input
// label, read to its end, had no line to parse: it is empty, or holds
// only blank lines, as send and detect warn.
func (p *lineParser) noteEmpty(label string) {
	if p.lines == p.in.lines {
		p.notes = append(p.notes, emptyInputNote(label, p.blank-p.in.blank, "parse"))
	}
}

// startInput starts the counters of an input.
func (p *lineParser) startInput() {
	p.in.lines, p.in.blank, p.in.failed, p.in.cut = p.lines, p.blank, p.failed, p.cut
	p.like = lookAlike{}
}

// noteInput keeps, for after the summary, the warning that most lines of
// the input label, just read as one type (--type, or its name), look like
// another type's, as detect and send warn.
func (p *lineParser) noteInput(label string) {
	typ, fixed := p.byName, !p.auto
	if fixed {
		typ = p.typ
	}
	if typ == parser.TypeUnknown {
		p.perLine = p.perLine || p.lines > p.in.lines
		return
	}
	cut := p.cut - p.in.cut
	whole, failed := p.lines-p.in.lines-cut, p.failed-p.in.failed-cut
	if !fixed && whole > 0 {
		p.named = append(p.named, label+" as "+typ.String())
	}
	if msg := p.like.warning(label, whole, failed, typ.String(),
		typeWhy(typ, fixed), typeFix(p.like.typ, fixed)); msg != "" {
		p.notes = append(p.notes, msg)
	}
	if msg := p.like.noneParsed(label, whole, failed, typ.String(),
		typeWhy(typ, fixed), typeFix(p.like.typ, fixed)); msg != "" {
		p.notes = append(p.notes, msg)
		p.likeOther += whole
	}
}

func newLineParser(typeName string) (*lineParser, error) {
	p := &lineParser{}
	name := strings.ToLower(typeName) // any case, as the config's type
	if name == "auto" {
		p.auto = true
		for t := range parser.NumTypes {
			p.parsers[t] = parser.New(t) // nil for TypeUnknown
		}
		return p, nil
	}
	t, err := parser.ParseType(name)
	if err != nil {
		return nil, fmt.Errorf("parse: --type %q: want audit, application, access, auth or auto%s", typeName, typeHint(typeName))
	}
	p.fixed, p.typ = parser.New(t), t
	return p, nil
}

// handle parses one line and writes its JSON object.
func (p *lineParser) handle(label string, n int, line []byte, long int) error {
	if long == 0 && parser.Blank(line) {
		p.blank++ // skipped, as run and send skip them
		return nil
	}
	p.lines++
	if long > 0 {
		p.cut++
		p.longest = max(p.longest, long)
		err := fmt.Errorf("line longer than max_line_bytes (%d bytes): cut, not parsed (raise --max-line-bytes to parse it)", p.maxLine)
		return p.write(p.appendError(p.buf[:0], label, n, err, line))
	}
	ps := p.fixed
	if p.auto {
		t := p.byName
		if t == parser.TypeUnknown {
			t = parser.Detect(line)
		} else {
			p.like.add(t, parser.Detect(line))
		}
		ps = p.parsers[t]
	} else {
		p.like.add(p.typ, parser.Detect(line))
	}
	var err error
	if ps == nil {
		err = unknownTypeError(line, "--type")
	} else {
		err = ps.Parse(line, &p.rec)
	}
	if err != nil {
		err = lineCause(line, err)
		p.records.add(line)
	}
	b := p.buf[:0]
	if err != nil {
		b = p.appendError(b, label, n, err, line)
	} else {
		if p.rec.Time.IsZero() {
			if p.untimed++; p.untimed == 1 {
				p.untimedAt = label + ":" + strconv.Itoa(n)
			}
		}
		b = append(b, '{')
		for i, f := range p.rec.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonstr.Append(b, f.Name)
			b = append(b, ':')
			b = jsonstr.Append(b, f.Value)
		}
		b = append(b, "}\n"...)
	}
	return p.write(b)
}

// appendError counts a failed line and appends its error object to b.
func (p *lineParser) appendError(b []byte, label string, n int, err error, line []byte) []byte {
	p.failed++
	b = append(b, `{"_error":`...)
	b = jsonstr.Append(b, label+":"+strconv.Itoa(n)+": "+err.Error())
	b = append(b, `,"_raw":`...)
	b = jsonstr.Append(b, line)
	return append(b, "}\n"...)
}

// write writes the output line b, keeping its buffer for the next one.
func (p *lineParser) write(b []byte) error {
	p.buf = b
	if _, err := p.out.Write(b); err != nil {
		p.writeErr = fmt.Errorf("write output: %w", err)
		return p.writeErr
	}
	return nil
}

// noneParsedHint says what to check when no line parsed with --type
// typeName: the type given; with auto, the types the inputs named were
// read as by their names ("NAME as TYPE"), and, for the inputs typed line
// by line (perLine), whether they are GitLab logs at all.
func noneParsedHint(typeName string, named []string, perLine bool) string {
	const why = " The _error of each line says why"
	if typeName != "auto" {
		return fmt.Sprintf("is --type %s right?", typeName) + why
	}
	notRecognised := "none was recognised as a GitLab log: " + gitLabLogs + "; is it one?"
	if len(named) == 0 {
		return notRecognised + why
	}
	list := strings.Join(named[:min(len(named), 3)], ", ")
	if len(named) > 3 {
		list += fmt.Sprintf(" and %d more", len(named)-3)
	}
	hint := "read as the log types their file names say: " + list + "; is each that log? --type sets another."
	if perLine {
		hint += " Of the other inputs, typed line by line, " + notRecognised
	}
	return hint + why
}
