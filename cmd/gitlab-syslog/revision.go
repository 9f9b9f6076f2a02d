package main

// revision is the VCS commit the binary was built from, set at build time
// with -ldflags "-X main.revision=<commit>" (the release tool and the
// Dockerfile set it). When empty, version falls back to the Go build
// information (vcs.revision), which go build records only when it builds
// inside a git clone (not in a git worktree, a source tarball or a build
// context without .git).
var revision string

// revisionTime is the commit time of revision (RFC 3339), set at build
// time with -ldflags "-X main.revisionTime=<time>" by the release tool,
// which builds without VCS information. When empty, version falls back to
// the Go build information (vcs.time).
var revisionTime string
