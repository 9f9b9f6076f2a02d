// Package chaos holds the end-to-end chaos test of the agent: the real
// gitlab-syslog binary follows three real log files written at thousands of
// lines per second while the files are rotated (rename with late writes,
// copytruncate with compression), the agent is SIGKILLed and restarted, and
// the collector goes away and comes back. A counting collector checks every
// numbered line for loss, duplication and corruption. See chaos_test.go.
package chaos
