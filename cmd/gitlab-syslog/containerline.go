package main

import (
	"errors"

	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
)

// Why a container runtime's record is not parsed by parse, send and detect,
// which read GitLab's own lines; run unwraps them (a source's format).
var (
	errCRIRecord = errors.New("a CRI container log record (containerd, CRI-O: <time> <stream> <tag> <line>), not a GitLab line: " +
		"parse, send and detect read GitLab's own lines; read a container log with run, a source with format: cri (or auto)")
	errDockerRecord = errors.New(`a Docker json-file container log record ({"log":...,"stream":...,"time":...}), not a GitLab line: ` +
		"parse, send and detect read GitLab's own lines; read a container log with run, a source with format: docker (or auto)")
)

// containerRecordError returns why line, a record of a container runtime's
// log file (a CRI record or a Docker json-file record, as container.Sniff
// tells them), is not a GitLab line, and nil for any other line.
func containerRecordError(line []byte) error {
	switch container.Sniff(line) {
	case container.CRI:
		return errCRIRecord
	case container.Docker:
		return errDockerRecord
	}
	return nil
}

// lineCause is why line did not parse: containerRecordError's cause for a
// container runtime's record, err otherwise.
func lineCause(line []byte, err error) error {
	if cerr := containerRecordError(line); cerr != nil {
		return cerr
	}
	return err
}
