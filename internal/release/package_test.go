//go:build linux

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// entry is one file in a package: its permissions as ls shows them, owner,
// group, and (rpm only) the file flags ("cn": config, noreplace).
type entry struct{ perms, owner, group, flags string }

// commonFiles are the files both packages install, with the deb's paths.
var commonFiles = map[string]entry{
	"/usr/bin/gitlab-syslog":                                  {"-rwxr-xr-x", "root", "root", ""},
	"/etc/gitlab-syslog":                                      {"drwxr-xr-x", "root", "root", ""},
	"/etc/gitlab-syslog/config.yaml":                          {"-rw-r-----", "root", "gitlab-syslog", "cn"},
	"/lib/systemd/system/gitlab-syslog.service":               {"-rw-r--r--", "root", "root", ""},
	"/usr/share/bash-completion/completions/gitlab-syslog":    {"-rw-r--r--", "root", "root", ""},
	"/usr/share/zsh/vendor-completions/_gitlab-syslog":        {"-rw-r--r--", "root", "root", ""},
	"/usr/share/fish/vendor_completions.d/gitlab-syslog.fish": {"-rw-r--r--", "root", "root", ""},
	"/usr/share/doc/gitlab-syslog/README.md":                  {"-rw-r--r--", "root", "root", ""},
	"/usr/share/man/man1/gitlab-syslog.1.gz":                  {"-rw-r--r--", "root", "root", ""},
	"/usr/share/man/man1/gitlab-syslog-run.1.gz":              {"-rw-r--r--", "root", "root", ""},
	"/usr/share/man/man1/gitlab-syslog-check.1.gz":            {"-rw-r--r--", "root", "root", ""},
	"/usr/share/man/man1/gitlab-syslog-version.1.gz":          {"-rw-r--r--", "root", "root", ""},
	"/usr/share/man/man1/gitlab-syslog-healthcheck.1.gz":      {"-rw-r--r--", "root", "root", ""},
	"/usr/share/man/man1/gitlab-syslog-completion-bash.1.gz":  {"-rw-r--r--", "root", "root", ""},
}

// debOnly and rpmOnly are the files of one format: Debian's copyright,
// changelog and lintian overrides; RPM's %license.
var (
	debOnly = []string{"/usr/share/doc/gitlab-syslog/copyright", "/usr/share/doc/gitlab-syslog/changelog.gz",
		"/usr/share/doc/gitlab-syslog/LICENSE", "/usr/share/lintian/overrides/gitlab-syslog"}
	rpmOnly = []string{"/usr/share/licenses/gitlab-syslog/LICENSE"}
	// rpmPath maps a deb path to the RPM distributions' one.
	rpmPath = strings.NewReplacer("/lib/systemd/system/", "/usr/lib/systemd/system/",
		"/usr/share/zsh/vendor-completions/", "/usr/share/zsh/site-functions/")
)

// debFiles lists the files (not directories, but /etc/gitlab-syslog) of a
// .deb with dpkg-deb -c.
func debFiles(t *testing.T, deb string) map[string]entry {
	t.Helper()
	files := map[string]entry{}
	for _, l := range strings.Split(strings.TrimSpace(sh(t, "dpkg-deb", "-c", deb)), "\n") {
		f := strings.Fields(l)
		if len(f) < 6 {
			t.Fatalf("dpkg-deb -c line %q", l)
		}
		owner, group, _ := strings.Cut(f[1], "/")
		path := strings.TrimSuffix(strings.TrimPrefix(f[5], "."), "/")
		if f[0][0] == 'd' && path != "/etc/gitlab-syslog" {
			continue
		}
		files[path] = entry{f[0], owner, group, ""}
	}
	return files
}

// rpmFiles lists the files of an .rpm with rpm -qp --queryformat.
func rpmFiles(t *testing.T, rpm string) map[string]entry {
	t.Helper()
	files := map[string]entry{}
	out := sh(t, "rpm", "-qp", "--queryformat", "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEFLAGS:fflags}! %{FILENAMES}\n]", rpm)
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(l)
		if len(f) != 5 {
			t.Fatalf("rpm -qp line %q", l)
		}
		files[f[4]] = entry{f[0], f[1], f[2], strings.TrimSuffix(f[3], "!")}
	}
	return files
}

// TestPackages builds the packages as `go run ./internal/release` does
// (host architecture and the other one), checks the .deb's file list and
// modes, lints it, inspects the .rpm with rpm, and (as root with dpkg)
// installs, upgrades, removes and purges the .deb on this machine.
func TestPackages(t *testing.T) {
	need(t, "dpkg-deb (Debian's dpkg) to read the .deb", haveTool("dpkg-deb"))
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	b := buildPackages(t, "v0.1.0", runtime.GOARCH, other)

	t.Run("deb contents", func(t *testing.T) {
		files := debFiles(t, b.paths["deb"])
		want := maps(commonFiles)
		for _, p := range debOnly {
			want[p] = entry{"-rw-r--r--", "root", "root", ""}
		}
		compareFiles(t, "deb", files, want)
		info := sh(t, "dpkg-deb", "-f", b.paths["deb"], "Package", "Version", "Architecture", "Pre-Depends")
		for _, w := range []string{"Package: gitlab-syslog", "Version: 0.1.0", "Architecture: " + runtime.GOARCH, "Pre-Depends: passwd"} {
			if !strings.Contains(info, w) {
				t.Errorf("control lacks %q:\n%s", w, info)
			}
		}
		if got := sh(t, "dpkg-deb", "-f", b.paths["deb-other"], "Architecture"); !strings.Contains(got, other) {
			t.Errorf("the %s .deb says %s", other, got)
		}
		ctl := t.TempDir()
		sh(t, "dpkg-deb", "-e", b.paths["deb"], ctl)
		conffiles, err := os.ReadFile(filepath.Join(ctl, "conffiles"))
		if err != nil || strings.TrimSpace(string(conffiles)) != configPath {
			t.Errorf("conffiles = %q (%v), want %s", conffiles, err, configPath)
		}
		for deb, src := range map[string]string{"preinst": "preinstall.sh", "postinst": "postinstall.sh", "prerm": "preremove.sh", "postrm": "postremove.sh"} {
			sameFile(t, filepath.Join(ctl, deb), filepath.Join("scripts", src))
			sh(t, "sh", "-n", filepath.Join(ctl, deb))
		}
	})

	t.Run("lintian", func(t *testing.T) {
		need(t, "lintian (Debian package lintian)", haveTool("lintian"))
		out, _ := shErr("lintian", "--no-cfg", "--info", "--display-experimental", "--pedantic", "--display-level", ">=pedantic", b.paths["deb"])
		var tags []string
		for _, l := range strings.Split(out, "\n") {
			if len(l) > 2 && l[1] == ':' && strings.Contains("EWIPXO", l[:1]) {
				tags = append(tags, l)
			}
		}
		if len(tags) > 0 {
			t.Errorf("lintian tags not fixed or justified in internal/release/lintian-overrides:\n%s", strings.Join(tags, "\n"))
		}
	})

	t.Run("rpm", func(t *testing.T) {
		need(t, "rpm (Debian package rpm) to inspect the .rpm", haveTool("rpm"))
		info := sh(t, "rpm", "-qip", b.paths["rpm"])
		for _, w := range []string{"Name        : gitlab-syslog", "Version     : 0.1.0", "License     : Apache-2.0",
			"Architecture: " + strings.TrimSuffix(strings.TrimPrefix(rpmArch(runtime.GOARCH), "."), ".rpm")} {
			if !strings.Contains(info, w) {
				t.Errorf("rpm -qip lacks %q:\n%s", w, info)
			}
		}
		wantOther := strings.Trim(strings.TrimSuffix(rpmArch(other), ".rpm"), ".")
		if got := sh(t, "rpm", "-qp", "--queryformat", "%{ARCH}", b.paths["rpm-other"]); got != wantOther {
			t.Errorf("the %s rpm is for %s, want %s", other, got, wantOther)
		}
		want := map[string]entry{}
		for p, e := range commonFiles {
			want[rpmPath.Replace(p)] = e
		}
		for _, p := range rpmOnly {
			want[p] = entry{"-rw-r--r--", "root", "root", ""}
		}
		list := sh(t, "rpm", "-qlp", b.paths["rpm"])
		files := rpmFiles(t, b.paths["rpm"])
		for p := range files {
			if !strings.Contains(list, p+"\n") {
				t.Errorf("rpm -qlp does not list %s", p)
			}
		}
		compareFiles(t, "rpm", files, want)
		// The same files as the .deb, at the RPM distributions' paths.
		deb := debFiles(t, b.paths["deb"])
		for p := range deb {
			if !slices.Contains(debOnly, p) {
				if _, ok := files[rpmPath.Replace(p)]; !ok {
					t.Errorf("the .deb has %s, the .rpm not %s", p, rpmPath.Replace(p))
				}
			}
		}
		if got := strings.TrimSpace(sh(t, "rpm", "-qp", "--configfiles", b.paths["rpm"])); got != configPath {
			t.Errorf("rpm config files: %q, want %s", got, configPath)
		}
		scripts := sh(t, "rpm", "-qp", "--scripts", b.paths["rpm"])
		for _, s := range []struct{ label, file string }{
			{"preinstall scriptlet", "preinstall.sh"}, {"postinstall scriptlet", "postinstall.sh"},
			{"preuninstall scriptlet", "preremove.sh"}, {"postuninstall scriptlet", "postremove.sh"},
		} {
			body, err := os.ReadFile(filepath.Join("scripts", s.file))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(scripts, s.label) || !strings.Contains(scripts, strings.TrimSpace(string(body))) {
				t.Errorf("rpm --scripts lacks the %s from scripts/%s:\n%s", s.label, s.file, scripts)
			}
		}
		if req := sh(t, "rpm", "-qp", "--requires", b.paths["rpm"]); !strings.Contains(req, "shadow-utils") {
			t.Errorf("rpm requires no shadow-utils (useradd):\n%s", req)
		}
	})

	t.Run("reproducible", func(t *testing.T) {
		again := buildPackages(t, "v0.1.0", runtime.GOARCH)
		for _, f := range []string{"deb", "rpm"} {
			a, errA := os.ReadFile(b.paths[f])
			b2, errB := os.ReadFile(again.paths[f])
			if errA != nil || errB != nil || !bytes.Equal(a, b2) {
				t.Errorf("two builds of the same commit and version give different %s packages (%v %v)", f, errA, errB)
			}
		}
	})

	t.Run("install", func(t *testing.T) {
		need(t, "root and dpkg to install the .deb", os.Geteuid() == 0 && haveTool("dpkg"))
		testInstall(t, b)
	})
}

func maps(m map[string]entry) map[string]entry {
	out := make(map[string]entry, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// compareFiles checks that got has every wanted file with its mode, owner,
// group and flags, that every man page is gitlab-syslog*.1.gz, and that
// nothing else is there.
func compareFiles(t *testing.T, format string, got, want map[string]entry) {
	t.Helper()
	for p, w := range want {
		g, ok := got[p]
		if !ok {
			t.Errorf("%s lacks %s", format, p)
			continue
		}
		if format == "deb" {
			w.flags = ""
		}
		if g != w {
			t.Errorf("%s %s: %+v, want %+v", format, p, g, w)
		}
	}
	for p := range got {
		if _, ok := want[p]; ok {
			continue
		}
		name := filepath.Base(p)
		if filepath.Dir(p) == "/usr/share/man/man1" && strings.HasPrefix(name, "gitlab-syslog") && strings.HasSuffix(name, ".1.gz") {
			continue
		}
		t.Errorf("%s has an unexpected file %s", format, p)
	}
}

func sameFile(t *testing.T, got, want string) {
	t.Helper()
	g, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("%s differs from %s", got, want)
	}
}
