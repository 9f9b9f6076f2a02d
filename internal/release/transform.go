package main

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
)

// Paths the packages install to.
const (
	binPath    = "/usr/bin/gitlab-syslog"
	configDir  = "/etc/gitlab-syslog"
	configPath = configDir + "/config.yaml"
	stateDir   = "/var/lib/gitlab-syslog"
)

const unitHeader = `# gitlab-syslog agent, installed by the gitlab-syslog package from
# examples/gitlab-syslog.service. Change it with ` + "`systemctl edit gitlab-syslog`" + `
# (a drop-in survives upgrades). The package adds the gitlab-syslog user to
# the groups that may read GitLab's logs (gitlab-www, and logging['log_group']
# from /etc/gitlab/gitlab.rb), so the unit names no SupplementaryGroups: a
# group that does not exist would keep the service from starting.
#
#   systemctl enable --now gitlab-syslog
#   systemctl reload gitlab-syslog      # SIGHUP: reread config.yaml, reopen GeoIP databases
#   journalctl -u gitlab-syslog
`

// packagedUnit turns examples/gitlab-syslog.service into the packaged
// unit: its install comment replaced by unitHeader, the binary at
// binPath instead of /usr/local/bin, and no SupplementaryGroups= line.
func packagedUnit(example []byte) ([]byte, error) {
	i := bytes.Index(example, []byte("\n[Unit]\n"))
	if i < 0 {
		return nil, errors.New("no [Unit] section")
	}
	body := string(example[i+1:])
	if !strings.Contains(body, "/usr/local/bin/gitlab-syslog ") {
		return nil, errors.New("ExecStart does not run /usr/local/bin/gitlab-syslog: update packagedUnit")
	}
	body = strings.ReplaceAll(body, "/usr/local/bin/gitlab-syslog ", binPath+" ")
	var out strings.Builder
	out.WriteString(unitHeader)
	for _, line := range strings.SplitAfter(body, "\n") {
		if strings.HasPrefix(line, "SupplementaryGroups=") {
			continue
		}
		out.WriteString(line)
	}
	return []byte(out.String()), nil
}

const configHeader = `# gitlab-syslog configuration, installed by the gitlab-syslog package.
# Upgrades keep your changes (dpkg asks before replacing a changed file; rpm
# writes the new version as config.yaml.rpmnew). Check it with
#   sudo -u gitlab-syslog gitlab-syslog check --config /etc/gitlab-syslog/config.yaml
# Values marked "# example" are commented out: their defaults apply.
#
`

// exampleLine matches a YAML key line whose value is marked "# example".
var exampleLine = regexp.MustCompile(`^(\s*)([A-Za-z_][A-Za-z0-9_.-]*:.*#\s*example\b.*)$`)

// packagedConfig turns examples/config.yaml into the packaged config file:
// configHeader first, and every key marked "# example" commented out,
// together with the lines indented under it (its block), so that the
// example values (a hostname, a metrics address, a token file, example
// detection rule settings) do not become settings of every installation.
func packagedConfig(example []byte) ([]byte, error) {
	var out strings.Builder
	out.WriteString(configHeader)
	n := 0
	block := -1 // indentation of the example key whose block is being commented out
	for _, line := range strings.SplitAfter(string(example), "\n") {
		text := strings.TrimSuffix(line, "\n")
		indent := len(text) - len(strings.TrimLeft(text, " "))
		if block >= 0 && (strings.TrimSpace(text) == "" || indent > block) {
			if strings.TrimSpace(text) != "" {
				line = text[:indent] + "# " + text[indent:] + "\n"
			}
			out.WriteString(line)
			continue
		}
		block = -1
		if m := exampleLine.FindStringSubmatch(text); m != nil {
			line = m[1] + "# " + m[2] + "\n"
			block = len(m[1])
			n++
		}
		out.WriteString(line)
	}
	if n == 0 {
		return nil, errors.New(`no line marked "# example": update packagedConfig`)
	}
	return []byte(out.String()), nil
}
