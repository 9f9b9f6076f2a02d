package main

import (
	"bufio"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// newParseCmd builds "gitlab-syslog parse": parse log lines and print the
// columns of each as one JSON object per line.
func newParseCmd() *cobra.Command {
	var typeName string
	cmd := &cobra.Command{
		Use:   "parse [FILE ...]",
		Short: "Parse GitLab log lines and print their columns as JSON, one object per line",
		Long: `parse reads GitLab log lines from the files given (or standard input when
there are none, or for "-"), parses each as the --type says, and prints one
JSON object per line whose keys are the Sentinel column names in column order
(empty columns are left out; EventTime is the text as logged). Files ending in
gzip data (logrotate's .gz) are decompressed transparently.

A line that does not parse prints {"_error":"FILE:LINE: cause","_raw":"line"}
instead. The command still exits 0 and prints "parsed N lines, M failed" to
standard error. Blank lines are skipped. Invalid UTF-8 is replaced by U+FFFD
so the output is always valid JSON for jq.`,
		Example: `  gitlab-syslog parse --type audit /var/log/gitlab/gitlab-rails/audit_json.log
  gitlab-syslog parse testdata/gitlab_access.log | jq -r .URI
  zcat application.log.1.gz | gitlab-syslog parse --type application`,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := newLineParser(typeName)
			if err != nil {
				return err
			}
			out := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
			p.out = out
			if len(args) == 0 {
				args = []string{"-"}
			}
			for _, name := range args {
				if err := readInput(cmd.Context(), name, cmd.InOrStdin(), p.handle); err != nil {
					err = fmt.Errorf("parse: %w", err)
					out.Flush()
					return err
				}
			}
			if err := out.Flush(); err != nil {
				return fmt.Errorf("parse: write output: %w", err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "parsed %d lines, %d failed\n", p.lines, p.failed)
			return nil
		},
	}
	cmd.Flags().StringVarP(&typeName, "type", "t", "auto",
		"log type: audit, application, access, or auto to pick per line by content")
	return cmd
}

// lineParser parses lines and writes the JSON output, reusing its buffers.
type lineParser struct {
	auto    bool
	parsers [4]parser.Parser // by parser.Type
	fixed   parser.Parser
	rec     parser.Record
	buf     []byte // output line being built
	out     *bufio.Writer
	lines   int
	failed  int
}

func newLineParser(typeName string) (*lineParser, error) {
	p := &lineParser{}
	if typeName == "auto" {
		p.auto = true
		for _, t := range []parser.Type{parser.TypeAudit, parser.TypeApplication, parser.TypeAccess} {
			p.parsers[t] = parser.New(t)
		}
		return p, nil
	}
	t, err := parser.ParseType(typeName)
	if err != nil {
		return nil, fmt.Errorf("parse: --type %q: want audit, application, access or auto", typeName)
	}
	p.fixed = parser.New(t)
	return p, nil
}

// handle parses one line and writes its JSON object.
func (p *lineParser) handle(label string, n int, line []byte) error {
	p.lines++
	ps := p.fixed
	if p.auto {
		ps = p.parsers[parser.Detect(line)]
	}
	var err error
	if ps == nil {
		err = errors.New("cannot tell the log type (want audit or application JSON, application text or an NGINX access line); use --type")
	} else {
		err = ps.Parse(line, &p.rec)
	}
	b := p.buf[:0]
	if err != nil {
		p.failed++
		b = append(b, `{"_error":`...)
		b = appendJSONString(b, []byte(label+":"+strconv.Itoa(n)+": "+err.Error()))
		b = append(b, `,"_raw":`...)
		b = appendJSONString(b, line)
		b = append(b, "}\n"...)
	} else {
		b = append(b, '{')
		for i, f := range p.rec.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, []byte(f.Name))
			b = append(b, ':')
			b = appendJSONString(b, f.Value)
		}
		b = append(b, "}\n"...)
	}
	p.buf = b
	if _, err := p.out.Write(b); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// appendJSONString appends s as a JSON string. Control characters, quotes,
// backslashes and U+2028/U+2029 are escaped; invalid UTF-8 bytes become
// U+FFFD so the output is always valid JSON.
func appendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
