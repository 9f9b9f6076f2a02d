package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"
)

// newManCmd builds the hidden `gitlab-syslog man --dir DIR`: it writes one
// man page (section 1, roff) per visible command of the tree it belongs to,
// gitlab-syslog.1, gitlab-syslog-run.1, ... dated $SOURCE_DATE_EPOCH when set. The release tool runs it on the
// binary it packages, so the pages describe exactly the commands and flags
// that binary has. Hidden commands (this one) get no page.
func newManCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:    "man",
		Short:  "Write a man page per command into a directory (used to build packages)",
		Args:   noArgs,
		Hidden: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("man: %w", err)
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true // no date: reproducible pages
			root.InitDefaultVersionFlag() // -v, --version: cobra adds it at execution only, after this tree is read
			// No Title: each page gets its command's (GITLAB\-SYSLOG\-RUN), as man(1) lists it.
			header := &doc.GenManHeader{Section: "1", Source: "gitlab-syslog " + version, Manual: "gitlab-syslog manual"}
			if date, err := sourceDate(); err != nil {
				return err
			} else if !date.IsZero() {
				header.Date = &date
			}
			escapeTags(root)
			if err := doc.GenManTree(root, header, dir); err != nil {
				return fmt.Errorf("man: writing pages into %s: %w", dir, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory to write the pages into (created if missing)")
	cmd.MarkFlagRequired("dir")
	return cmd
}

// sourceDate returns the time in $SOURCE_DATE_EPOCH (seconds since the Unix
// epoch, the reproducible-builds.org convention) for the pages' date, or the
// zero time when it is unset (cobra then uses the current month).
func sourceDate() (time.Time, error) {
	v := os.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Time{}, nil
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("man: SOURCE_DATE_EPOCH=%q is not a number of seconds: %w", v, err)
	}
	return time.Unix(sec, 0).UTC(), nil
}

// escapeTags escapes each '<' that starts what Markdown takes for an HTML
// tag ('<' and a letter, '/', '!' or '?') in the flag usages of cmd and
// its subcommands (`\<`, a Markdown escape): cobra/doc renders them as
// Markdown, which drops such tags, so that "name@<your IANA private
// enterprise number>" lost its number's part. Long texts are left alone:
// theirs hold no such '<', and an escape in their indented code blocks
// (completion's "source <(...)") would be printed. It changes the tree:
// only the man command, which exits after writing the pages, calls it.
func escapeTags(cmd *cobra.Command) {
	for _, fs := range []*pflag.FlagSet{cmd.LocalFlags(), cmd.PersistentFlags()} {
		fs.VisitAll(func(f *pflag.Flag) {
			f.Usage = tagStart.ReplaceAllString(f.Usage, `$1\<$2`)
		})
	}
	for _, c := range cmd.Commands() {
		escapeTags(c)
	}
}

// tagStart matches a '<' not escaped yet that starts what Markdown takes
// for an HTML tag, with the character before it (if any) and after it.
var tagStart = regexp.MustCompile(`(^|[^\\])<([A-Za-z/!?])`)
