package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// flagError is the command tree's FlagErrorFunc: it rewrites the flag
// parser's errors so that each names the flag, the value given and what
// the flag wants ("--batch "abc": want a whole number") instead of Go's
// parse error ("strconv.ParseInt: parsing "abc": invalid syntax"),
// suggests the flag meant by an unknown one, and says where the flags are
// listed.
func flagError(cmd *cobra.Command, err error) error {
	help := fmt.Sprintf("(%s --help lists its flags)", cmd.CommandPath())
	var inv *pflag.InvalidValueError
	var ne *pflag.NotExistError
	var vr *pflag.ValueRequiredError
	switch {
	case errors.As(err, &inv):
		f := inv.GetFlag()
		return fmt.Errorf("--%s %q: want %s %s", f.Name, inv.GetValue(), flagWants(f), help)
	case errors.As(err, &vr):
		f := vr.GetFlag()
		return fmt.Errorf("--%s needs a value: %s %s", f.Name, flagWants(f), help)
	case errors.As(err, &ne) && ne.GetSpecifiedShortnames() == "":
		var names []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				names = append(names, f.Name)
			}
		})
		if m := config.Suggest(ne.GetSpecifiedName(), names); m != "" {
			return fmt.Errorf("unknown flag --%s (did you mean --%s?) %s", ne.GetSpecifiedName(), m, help)
		}
		return fmt.Errorf("unknown flag --%s %s", ne.GetSpecifiedName(), help)
	}
	return fmt.Errorf("%w %s", err, help)
}

// flagWants says what flag f takes: by its type, or its usage text.
func flagWants(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "int", "int64":
		return "a whole number"
	case "bool":
		return "true or false (or the flag alone for true)"
	case "duration":
		return "a duration with a unit, e.g. 5s, 250ms, 2m"
	}
	return f.Usage
}

// noArgs is cobra.NoArgs for the commands that take no arguments (check,
// run, ...), with an error that says so and what the argument may have
// been meant as: a configuration file for --config, a directory for
// --log-dir, a URL for --listen, instead of cobra's "unknown command".
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	a := args[0]
	hint := fmt.Sprintf("%s --help lists its flags", cmd.CommandPath())
	name := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
	fi, err := os.Stat(a)
	switch {
	case err == nil && fi.IsDir() && cmd.Flags().Lookup("log-dir") != nil:
		hint = fmt.Sprintf("GitLab's log directory is given with --log-dir %s", a)
	case err == nil && !fi.IsDir() && cmd.Flags().Lookup("config") != nil:
		hint = fmt.Sprintf("a configuration file is given with --config %s", a)
	case strings.HasSuffix(a, ".yaml") || strings.HasSuffix(a, ".yml"):
		if cmd.Flags().Lookup("config") != nil {
			hint = fmt.Sprintf("a configuration file is given with --config %s", a)
		}
	case strings.Contains(a, "://") && cmd.Flags().Lookup("listen") != nil:
		hint = fmt.Sprintf("the address to listen on is given with --listen %s", a)
	}
	return fmt.Errorf("%s takes no arguments, got %q: %s", name, a, hint)
}

// typeHint is the "did you mean" of a --type value that is not a log type.
func typeHint(s string) string {
	return config.DidYouMean(s, []string{"audit", "application", "access", "auth", "auto"})
}
