package container

import (
	"bytes"
	"fmt"
)

// Format is how the lines of a log file are wrapped.
type Format uint8

// The formats.
const (
	// Plain lines are GitLab's own lines, unwrapped.
	Plain Format = iota
	// CRI lines are records of a CRI runtime (containerd, CRI-O).
	CRI
	// Docker lines are records of Docker's json-file logging driver.
	Docker
	// Auto sniffs each line (Sniff): CRI, Docker or plain.
	Auto
)

// String returns the name used in configs: "plain", "cri", "docker" or
// "auto".
func (f Format) String() string {
	switch f {
	case Plain:
		return "plain"
	case CRI:
		return "cri"
	case Docker:
		return "docker"
	case Auto:
		return "auto"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat is the inverse of Format.String; "" is Plain.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "", "plain":
		return Plain, nil
	case "cri":
		return CRI, nil
	case "docker":
		return Docker, nil
	case "auto":
		return Auto, nil
	}
	return Plain, fmt.Errorf("container: unknown format %q (want plain, cri, docker or auto)", s)
}

// Sniff returns the format a single line is in: Docker when it starts with
// {"log":, CRI when it starts with a CRI record header (a timestamp, a
// stream and a tag), Plain otherwise. It never returns Auto.
func Sniff(line []byte) Format {
	if bytes.HasPrefix(line, []byte(`{"log":`)) {
		return Docker
	}
	if _, err := ParseCRI(line); err == nil {
		return CRI
	}
	return Plain
}
