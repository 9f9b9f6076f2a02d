// Package aggregator holds the end-to-end tests of the aggregator role:
// real gitlab-syslog processes (node agents following files, forwarding
// over RELP to an aggregator with a network input, which forwards to a
// counting collector), the aggregator killed with SIGKILL while it
// receives, and a detection that only the merged stream of two nodes
// triggers. See kill_test.go and detect_test.go.
package aggregator
