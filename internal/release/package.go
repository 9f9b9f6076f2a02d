package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
	"github.com/goreleaser/nfpm/v2/rpm"
)

const description = `Forward GitLab's security logs to a SIEM as RFC 5424 syslog
gitlab-syslog follows GitLab's audit, application, access and
authentication logs across log rotation, restarts and crashes, parses each
line into the columns of Microsoft Sentinel's GitLab functions and forwards
it as RFC 5424 syslog over UDP, TCP, TLS or a unix socket, as a drop-in for
existing Sentinel setups. It also receives GitLab Audit Event Streaming,
adds GeoIP columns and exports Prometheus metrics.`

// Where the packages put the systemd unit and the zsh completion: Debian 12
// keeps units in /lib and its zsh reads vendor-completions; RPM
// distributions use /usr/lib and site-functions.
var (
	unitDir = map[string]string{"deb": "/lib/systemd/system", "rpm": "/usr/lib/systemd/system"}
	zshDir  = map[string]string{"deb": "/usr/share/zsh/vendor-completions", "rpm": "/usr/share/zsh/site-functions"}
)

// packageInfo describes the package of format (deb or rpm) for goarch with
// the binary bin and the staged assets a.
func packageInfo(o options, a *assets, format, goarch, bin string) *nfpm.Info {
	file := func(src, dst string, mode os.FileMode) *files.Content {
		return &files.Content{Source: src, Destination: dst, FileInfo: &files.ContentFileInfo{Mode: mode, Owner: "root", Group: "root"}}
	}
	contents := files.Contents{
		file(bin, binPath, 0o755),
		file(a.unit, unitDir[format]+"/gitlab-syslog.service", 0o644),
		{Destination: configDir, Type: files.TypeDir, FileInfo: &files.ContentFileInfo{Mode: 0o755, Owner: "root", Group: "root"}},
		{Source: a.config, Destination: configPath, Type: files.TypeConfigNoReplace,
			FileInfo: &files.ContentFileInfo{Mode: 0o640, Owner: "root", Group: "gitlab-syslog"}},
		file(a.bash, "/usr/share/bash-completion/completions/gitlab-syslog", 0o644),
		file(a.zsh, zshDir[format]+"/_gitlab-syslog", 0o644),
		file(a.fish, "/usr/share/fish/vendor_completions.d/gitlab-syslog.fish", 0o644),
		file(a.readme, "/usr/share/doc/gitlab-syslog/README.md", 0o644),
	}
	for _, p := range a.manPages {
		contents = append(contents, file(p, "/usr/share/man/man1/"+filepath.Base(p), 0o644))
	}
	switch format {
	case "deb":
		contents = append(contents,
			file(a.copyright, "/usr/share/doc/gitlab-syslog/copyright", 0o644),
			file(a.license, "/usr/share/doc/gitlab-syslog/LICENSE", 0o644),
			file(a.changelog, "/usr/share/doc/gitlab-syslog/changelog.gz", 0o644),
			file(a.overrides, "/usr/share/lintian/overrides/gitlab-syslog", 0o644),
		)
	case "rpm":
		contents = append(contents, file(a.license, "/usr/share/licenses/gitlab-syslog/LICENSE", 0o644))
	}
	script := func(name string) string { return filepath.Join(a.scriptsDir, name) }
	info := &nfpm.Info{
		Name:        "gitlab-syslog",
		Arch:        goarch,
		Platform:    "linux",
		Version:     o.version,
		Section:     "admin",
		Priority:    "optional",
		Maintainer:  o.maintainer,
		Vendor:      "gitlab-syslog",
		Homepage:    "https://github.com/gitlab-syslog/gitlab-syslog",
		License:     "Apache-2.0",
		Description: description,
		MTime:       o.date,
		Overridables: nfpm.Overridables{
			Contents: contents,
			Scripts: nfpm.Scripts{
				PreInstall:  script("preinstall.sh"),
				PostInstall: script("postinstall.sh"),
				PreRemove:   script("preremove.sh"),
				PostRemove:  script("postremove.sh"),
			},
			// useradd, groupadd, usermod and getent for the maintainer scripts.
			Deb: nfpm.Deb{Predepends: []string{"passwd"}},
			// A fixed build host: the same commit gives the same package anywhere.
			RPM: nfpm.RPM{Group: "System Environment/Daemons", Summary: "Forward GitLab's security logs to a SIEM as RFC 5424 syslog", BuildHost: "gitlab-syslog-release"},
		},
	}
	if format == "rpm" {
		info.Depends = []string{"shadow-utils"}
		// rpm shows the summary apart: the description is the body.
		_, info.Description, _ = strings.Cut(description, "\n")
	}
	return nfpm.WithDefaults(info)
}

// writePackage packs info as format into dir and returns the file's path,
// named by the format's convention (name_version_arch.deb,
// name-version-release.arch.rpm).
func writePackage(info *nfpm.Info, format, dir string) (string, error) {
	var p nfpm.Packager
	switch format {
	case "deb":
		p = deb.Default
	case "rpm":
		p = rpm.DefaultRPM
	default:
		return "", fmt.Errorf("unknown package format %q", format)
	}
	if err := nfpm.Validate(info); err != nil {
		return "", fmt.Errorf("%s package: %w", format, err)
	}
	path := filepath.Join(dir, p.ConventionalFileName(info))
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := p.Package(info, f); err != nil {
		f.Close()
		os.Remove(path)
		return "", fmt.Errorf("%s package for %s: %w", format, info.Arch, err)
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return path, nil
}
