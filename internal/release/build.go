package main

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// mainPackage is the command the packages ship.
const mainPackage = "./cmd/gitlab-syslog"

// goBuild cross-compiles the gitlab-syslog binary for linux/goarch into
// out: static (CGO_ENABLED=0), -trimpath, stripped (-s -w), with the
// version, revision and date (the revision's commit time, or
// $SOURCE_DATE_EPOCH) stamped into main.version, main.revision and
// main.revisionTime. It
// fails when the result is not a static ELF for that architecture.
func goBuild(ctx context.Context, o options, goos, goarch, out string) error {
	ldflags := fmt.Sprintf("-s -w -X main.version=%s -X main.revision=%s -X main.revisionTime=%s", o.version, o.revision, o.date.Format(time.RFC3339))
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", out, mainPackage)
	cmd.Dir = o.root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch, "GOFLAGS=")
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s for %s/%s: %w\n%s", mainPackage, goos, goarch, err, stderr.Bytes())
	}
	if goos == "linux" {
		return checkStatic(out, goarch)
	}
	return nil
}

// elfMachine maps GOARCH to the ELF machine a binary for it has.
var elfMachine = map[string]elf.Machine{
	"amd64":   elf.EM_X86_64,
	"arm64":   elf.EM_AARCH64,
	"386":     elf.EM_386,
	"arm":     elf.EM_ARM,
	"ppc64le": elf.EM_PPC64,
	"s390x":   elf.EM_S390,
	"riscv64": elf.EM_RISCV,
}

// checkStatic returns an error unless path is an ELF executable for goarch
// without a program interpreter or shared-library dependencies.
func checkStatic(path, goarch string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	if m, ok := elfMachine[goarch]; ok && f.Machine != m {
		return fmt.Errorf("%s: ELF machine %v, want %v for %s", path, f.Machine, m, goarch)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s: dynamically linked (has a program interpreter); CGO_ENABLED=0 should have made it static", path)
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(libs) > 0 {
		return fmt.Errorf("%s: needs shared libraries %s", path, strings.Join(libs, ", "))
	}
	return nil
}
