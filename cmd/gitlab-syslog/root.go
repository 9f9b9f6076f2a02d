package main

import "github.com/spf13/cobra"

// newRootCmd builds the command tree. Each subcommand lives in its own file.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "gitlab-syslog",
		Short: "Ship GitLab audit, application, access and Rack::Attack logs to a SIEM as RFC 5424 syslog",
		Long: `gitlab-syslog tails GitLab's security logs (gitlab-rails/audit_json.log,
gitlab-rails/application_json.log, nginx/gitlab_access.log and the Rack::Attack
log gitlab-rails/auth_json.log), parses each line into the columns of Microsoft
Sentinel's GitLabAudit, GitLabApp and GitLabAccess functions (auth lines into
columns named in the same style), and forwards it as RFC 5424 syslog on
facility local7.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       currentVersion().short(),
	}
	root.SetVersionTemplate("gitlab-syslog {{.Version}}\n")
	root.SetFlagErrorFunc(flagError) // inherited by every subcommand
	root.AddCommand(
		newVersionCmd(),
		newHealthcheckCmd(),
		newManCmd(),
		newParseCmd(),
		newSendCmd(),
		newCollectCmd(),
		newRunCmd(),
		newCheckCmd(),
		newDetectCmd(),
	)
	strictCompletion(root)
	return root
}

// strictCompletion adds cobra's completion command now and makes it refuse
// an unknown shell ("completion bogus") instead of printing its help and
// exiting 0; without an argument it still prints its help.
func strictCompletion(root *cobra.Command) {
	// cobra's shell commands keep the writer root has now: give them one
	// that writes where root writes when they run (SetOut may come later).
	root.SetOut(rootOut{root})
	root.InitDefaultCompletionCmd()
	root.SetOut(nil)
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args = cobra.NoArgs // the shells are subcommands: any argument left is unknown
			c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		}
	}
}

// rootOut writes to the output root has at the time of the write.
type rootOut struct{ root *cobra.Command }

func (w rootOut) Write(p []byte) (int, error) { return w.root.OutOrStdout().Write(p) }
