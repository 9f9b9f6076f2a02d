// Package testcert writes throw-away TLS certificates for tests of tls://
// transports. It is test tooling: no package of the shipped binary imports
// it (see internal/testing's import test).
package testcert
