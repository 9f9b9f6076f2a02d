package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// release builds the binaries and the packages o asks for into o.out and
// returns the packages' paths, in arch then format order. Progress goes to
// log.
func release(ctx context.Context, o options, log io.Writer) ([]string, error) {
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return nil, err
	}
	stage, err := os.MkdirTemp("", "gitlab-syslog-release-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(stage)

	bins := map[string]string{}
	for _, arch := range o.arches {
		bin := filepath.Join(stage, "linux-"+arch, "gitlab-syslog")
		fmt.Fprintf(log, "release: building %s %s (revision %s) for linux/%s\n", mainPackage, o.version, o.revision, arch)
		if err := goBuild(ctx, o, "linux", arch, bin); err != nil {
			return nil, err
		}
		bins[arch] = bin
	}
	host, ok := bins[runtime.GOARCH]
	if !ok || runtime.GOOS != "linux" {
		host = filepath.Join(stage, "host", "gitlab-syslog")
		if err := goBuild(ctx, o, runtime.GOOS, runtime.GOARCH, host); err != nil {
			return nil, err
		}
	}
	a, err := writeAssets(ctx, o, host, stage)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, arch := range o.arches {
		for _, format := range o.formats {
			path, err := writePackage(packageInfo(o, a, format, arch, bins[arch]), format, o.out)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(log, "release: wrote %s\n", path)
			paths = append(paths, path)
		}
	}
	return paths, nil
}
