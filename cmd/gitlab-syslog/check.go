package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newCheckCmd is a placeholder until the check command lands.
func newCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "check",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return errors.New("check: not built yet")
		},
	}
}
