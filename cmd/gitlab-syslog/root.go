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
	root.AddCommand(
		newVersionCmd(),
		newParseCmd(),
		newSendCmd(),
		newCollectCmd(),
		newRunCmd(),
		newCheckCmd(),
		newDetectCmd(),
	)
	return root
}
