package main

import (
	"fmt"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/internal/shellcmd"
	"github.com/gitlab-syslog/gitlab-syslog/internal/sniff"
)

// unreadError is the error for the input label whose data (after
// decompressing it with outer: gzip, bzip2, xz, zstd; "" for none) is
// the format u, or, when u is nil, is compressed again with inner: it
// names the input, what its bytes are, and the command that gives the
// log lines.
func unreadError(label, outer string, u *sniff.Format, inner string) error {
	if u != nil && u.Fix == "" {
		return binaryError(label, outer, u)
	}
	file := "FILE" // standard input: the file that was piped in
	if label != "stdin" {
		file = shellcmd.Path(label)
	}
	what, fix := inner+" data", inner+" -dc"
	if u != nil {
		what, fix = u.What(), u.Fix
	}
	if outer != "" {
		what = outer + " data whose content is " + what
		if u == nil {
			what += " again (compressed twice)"
		}
		fix = outer + " -dc " + file + " | " + strings.Replace(fix, "FILE", "-", 1)
		if u != nil && u.Name == "tar archive" {
			fix = "tar -xf " + file
		}
	} else {
		fix = strings.Replace(fix, "FILE", file, 1)
	}
	if u != nil && u.Name == "tar archive" {
		return fmt.Errorf("%s: is %s, not a log file: its lines would be read as garbage; extract it (%s) and give the log files in it", label, what, fix)
	}
	if u != nil && u.Encoding {
		return fmt.Errorf("%s: is %s, not UTF-8 as GitLab writes its logs: its lines would be read as garbage; convert it first (%s) and give the UTF-8 lines, as a file or on standard input (-)", label, what, fix)
	}
	return fmt.Errorf("%s: is %s, which is not read as log lines (gzip, bzip2, xz and zstd are): decompress it first (%s) and give the plain lines, as a file or on standard input (-)", label, what, fix)
}

// binaryError is the error for the input label that holds the binary
// format u (after decompressing it with outer; "" for none): it names the
// input and what it is, and says to give a log file instead.
func binaryError(label, outer string, u *sniff.Format) error {
	what := u.Name
	if outer != "" {
		what = outer + " data whose content is " + what
	}
	return fmt.Errorf("%s: %s, not a log file: its bytes are not lines of text; give a GitLab log file (is the path right?)", label, what)
}
