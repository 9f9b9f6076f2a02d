package detect

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParams(t *testing.T) {
	p := NewParams("r.x", map[string]string{"list": " a, b ,,c ", "on": "TRUE", "n": "12", "d": "90s", "secs": "30", "zero": "0s"},
		map[string]string{"n": "7", "typo": "1"})
	if got := p.List("list", nil); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("List = %q", got)
	}
	if !p.Bool("on", false) || p.Int("n", 0) != 7 || p.Int("absent", 3) != 3 {
		t.Error("Bool/Int: own parameters must override global ones, defaults apply when absent")
	}
	if p.Duration("d", 0) != 90*time.Second || p.Duration("secs", 0) != 30*time.Second || p.Duration("zero", time.Hour) != 0 {
		t.Error("Duration")
	}
	sizes := NewParams("r.x", map[string]string{"plain": "1048576", "mib": "128MiB", "kb": "2 kB", "gi": "1gi", "b": "10B"}, nil)
	for name, want := range map[string]int{"plain": 1 << 20, "mib": 128 << 20, "kb": 2000, "gi": 1 << 30, "b": 10, "absent": 7} {
		if got := sizes.Bytes(name, 7); got != want {
			t.Errorf("Bytes(%q) = %d, want %d", name, got, want)
		}
	}
	if err := sizes.Err(); err != nil {
		t.Fatal(err)
	}
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if un := p.Unread(map[string]string{"n": "7", "typo": "1"}); !reflect.DeepEqual(un, []string{"typo"}) {
		t.Errorf("Unread = %q", un)
	}
	bad := NewParams("r.x", map[string]string{"on": "yes", "n": "-1", "d": "soon", "f": "x", "inf": "Inf", "nan": "NaN"}, nil)
	bad.Bool("on", false)
	bad.Int("n", 0)
	bad.Duration("d", 0)
	bad.Float("f", 0)
	bad.Float("inf", 0)
	bad.Float("nan", 0)
	bad.Bytes("n", 0)
	bad.Bytes("d", 0)
	err := bad.Err()
	for _, want := range []string{`rule r.x: parameter on="yes": want true or false`, `parameter n="-1": want a non-negative integer`,
		`parameter d="soon": want a non-negative duration`, `parameter f="x": want a non-negative number`,
		`parameter inf="Inf": want a non-negative number`, `parameter nan="NaN": want a non-negative number`,
		`parameter n="-1": want a number of bytes`, `parameter d="soon": want a number of bytes`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Err() = %v, want it to contain %q", err, want)
		}
	}
}
