// Package container decodes the wrappers a container runtime and GitLab's
// cloud-native chart put around GitLab's log lines, so that the original
// line comes out byte for byte. It does no I/O and keeps no state beyond a
// Joiner's pending partial line.
//
// Three layers, outermost first:
//
//   - The runtime's log file. CRI runtimes (containerd, CRI-O) write
//     "<RFC 3339 time> <stream> <tag> <content>" per record (ParseCRI),
//     tag "F" for a full line and "P" for a part that the next record
//     continues. Docker's json-file driver writes
//     {"log":"<content>\n","stream":"stdout","time":"..."} (ParseDocker),
//     a "log" without the final "\n" being a part continued by the next
//     record. A Joiner joins the parts.
//   - The chart's gitlab-logger, which tails GitLab's log files inside the
//     pod and prints each line wrapped in JSON (ParseEnvelope):
//     {"date":"...","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":<line>}
//     where <line> is the original line as is when it starts with "{" and
//     ends with "}", and a Go-quoted string (strconv.Quote) otherwise
//     (gitlab-org/cloud-native/gitlab-logger, main.go, func log).
//   - The GitLab line itself, for the parser package.
//
// Kubernetes metadata (namespace, pod, container, container ID) comes from
// the log file's name (ParsePath).
//
// Every decoder returns slices of its input, or of a buffer the caller
// passes in and gets back grown, so decoding allocates nothing per line
// once the buffers are large enough.
package container
