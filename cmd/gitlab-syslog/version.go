package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, Go version and VCS revision",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rev := "unknown"
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						rev = s.Value
					}
				}
			}
			if revision != "" {
				rev = revision
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "gitlab-syslog %s (%s, %s/%s, revision %s)\n",
				version, runtime.Version(), runtime.GOOS, runtime.GOARCH, rev)
			return err
		},
	}
}
