package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3". When
// it is not, the module version from the build information is used (set by
// `go install module@version`).
var version = "dev"

// buildVersion identifies a build of gitlab-syslog.
type buildVersion struct {
	// Version is the -ldflags version, else the module version from the
	// build information, else "dev".
	Version string `json:"version"`
	// Revision is the VCS commit the binary was built from (vcs.revision),
	// "" when unknown; Modified says the work tree had uncommitted changes.
	Revision string `json:"revision,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	// Time is the commit time of Revision (vcs.time, RFC 3339), "" when
	// unknown.
	Time string `json:"time,omitempty"`
	Go   string `json:"go"`
	OS   string `json:"os"`
	Arch string `json:"arch"`
}

// versionOf describes the build from the -ldflags version ("dev" when not
// set) and the build information (nil when there is none).
func versionOf(ldflags string, bi *debug.BuildInfo) buildVersion {
	v := buildVersion{Version: ldflags, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi == nil {
		return v
	}
	if v.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		case "vcs.time":
			v.Time = s.Value
		case "GOOS":
			v.OS = s.Value
		case "GOARCH":
			v.Arch = s.Value
		}
	}
	return v
}

// currentVersion describes the running binary.
func currentVersion() buildVersion {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	v := versionOf(version, bi)
	if revision != "" {
		v.Revision = revision
	}
	if revisionTime != "" {
		v.Time = revisionTime
	}
	return v
}

// short is the version with its revision, e.g.
// "v1.2.0 (revision 4696ccf1a2b3, modified, 2026-11-29T07:31:32Z)".
func (v buildVersion) short() string {
	var b strings.Builder
	b.WriteString(v.Version)
	b.WriteString(" (revision ")
	if v.Revision == "" {
		b.WriteString("unknown")
	} else {
		b.WriteString(v.Revision)
	}
	if v.Modified {
		b.WriteString(", modified")
	}
	if v.Time != "" {
		b.WriteString(", " + v.Time)
	}
	b.WriteString(")")
	return b.String()
}

func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, VCS revision and time, and Go version",
		Long: `version prints the release version (from -ldflags, or the module version
for "go install ...@version" builds, else "dev"), the VCS revision the binary
was built from (with ", modified" when the work tree had uncommitted
changes), the commit time, the Go version and the platform.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return writeVersion(cmd.OutOrStdout(), currentVersion(), asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object: version, revision, modified, time, go, os, arch")
	return cmd
}

// writeVersion prints v as one line of text, or as a JSON object.
func writeVersion(w io.Writer, v buildVersion, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(v)
	}
	_, err := fmt.Fprintf(w, "gitlab-syslog %s %s %s/%s\n", v.short(), v.Go, v.OS, v.Arch)
	return err
}
