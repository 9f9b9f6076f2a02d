package config

import "testing"

func TestListenersClash(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"127.0.0.1:8080", "127.0.0.1:8080", true},
		{"0.0.0.0:8080", "127.0.0.1:8080", true},
		{"127.0.0.1:8080", "[::]:8080", true},
		{":9469", "10.0.0.1:9469", true},
		{"localhost:9469", "127.0.0.1:9469", true},
		{"127.0.0.1:9469", "127.0.0.1:8080", false},
		{"127.0.0.1:8080", "10.0.0.1:8080", false},
		{"127.0.0.1:0", "127.0.0.1:0", false}, // each gets its own free port
		{"", "127.0.0.1:8080", false},
	}
	for _, tt := range tests {
		if got := listenersClash(tt.a, tt.b); got != tt.want {
			t.Errorf("listenersClash(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
