package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newParseCmd is a placeholder until the parse command lands.
func newParseCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "parse",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return errors.New("parse: not built yet")
		},
	}
}
