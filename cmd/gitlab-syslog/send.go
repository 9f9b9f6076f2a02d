package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newSendCmd is a placeholder until the send command lands.
func newSendCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "send",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return errors.New("send: not built yet")
		},
	}
}
