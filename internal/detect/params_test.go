package detect

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParams(t *testing.T) {
	p := NewParams("r.x", map[string]string{"list": " a, b ,c ", "on": "TRUE", "n": "12", "d": "90s", "secs": "30", "zero": "0s", "most": "87600h"},
		map[string]string{"n": "7", "typo": "1"})
	if got := p.List("list", nil); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("List = %q", got)
	}
	if !p.Bool("on", false) || p.Int("n", 0) != 7 || p.Int("absent", 3) != 3 {
		t.Error("Bool/Int: own parameters must override global ones, defaults apply when absent")
	}
	if p.Duration("d", 0) != 90*time.Second || p.Duration("secs", 0) != 30*time.Second || p.Duration("zero", time.Hour) != 0 || p.Duration("most", 0) != MaxDuration {
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
	// an empty item is a typing slip, refused with the list meant
	// (fresh-user trial 111: known_countries=DE,,IE passed without a word)
	for _, v := range []string{"DE,,IE", "DE,IE,", ",DE,IE", "DE, ,IE"} {
		lp := NewParams("r.x", map[string]string{"known_countries": v}, nil)
		if got := lp.List("known_countries", nil); !reflect.DeepEqual(got, []string{"DE", "IE"}) {
			t.Errorf("List(%q) = %q, want [DE IE]", v, got)
		}
		if err := lp.Err(); err == nil || !strings.Contains(err.Error(), "has an empty item (two commas in a row, or one at an end): write the list without it, DE,IE") {
			t.Errorf("List(%q): err = %v, want the empty item refused", v, err)
		}
	}
	if lp := NewParams("r.x", map[string]string{"known_countries": " "}, nil); lp.List("known_countries", []string{"x"}) != nil || lp.Err() != nil {
		t.Errorf("a blank list is the empty list, without an error")
	}
	bad := NewParams("r.x", map[string]string{"on": "yes", "n": "-1", "d": "soon", "f": "x", "inf": "Inf", "nan": "NaN", "b": "-1", "b2": "soon"}, nil)
	for name, got := range map[string]int{"n": bad.Int("n", 5), "b": bad.Bytes("b", 5), "b2": bad.Bytes("b2", 5)} {
		if got != 0 {
			t.Errorf("%s: a refused value gives %d, want 0 (so the rule's own bound speaks)", name, got)
		}
	}
	bad.Bool("on", false)
	bad.Duration("d", 0)
	bad.Float("f", 0)
	bad.Float("inf", 0)
	bad.Float("nan", 0)
	err := bad.Err()
	for _, want := range []string{`rule r.x: parameter on="yes": want true or false`, `parameter n="-1": want a whole number, 0 or more`,
		`parameter d="soon": want a duration from 0 to 87600h (10 years)`, `parameter f="x": want a number, 0 or more`,
		`parameter inf="Inf": too large`, `parameter nan="NaN": want a number, 0 or more`,
		`parameter b="-1": want a number of bytes`, `parameter b2="soon": want a number of bytes`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Err() = %v, want it to contain %q", err, want)
		}
	}
	// A rule's own bound refines what the getter said, once.
	ref := NewParams("r.x", map[string]string{"n": "-1", "m": "0"}, nil)
	if ref.Int("n", 5) < 1 {
		ref.Fail("n", "want at least 1")
	}
	if ref.Int("m", 5) < 1 {
		ref.Fail("m", "want at least 1")
	}
	if got, want := ref.Err().Error(), "detections: rule r.x: parameter n=\"-1\": want a whole number, at least 1\ndetections: rule r.x: parameter m=\"0\": want a whole number, at least 1"; got != want {
		t.Errorf("Err() = %q, want %q", got, want)
	}
	// A number of days (a name ending in _days) is at most MaxDays.
	days := NewParams("r.x", map[string]string{"a_days": "3650", "b_days": "3651", "c_days": "-1", "d": "3651"}, nil)
	if days.Int("a_days", 0) != 3650 || days.Int("b_days", 5) != 0 || days.Int("c_days", 5) != 0 || days.Int("d", 0) != 3651 {
		t.Error("Int of a number of days: 3650 taken, 3651 and -1 refused; other names unbounded")
	}
	if got, want := days.Err().Error(), "detections: rule r.x: parameter b_days=\"3651\": too large (at most 3650 days, 10 years); want a whole number of days, 0 to 3650 (10 years)\n"+
		"detections: rule r.x: parameter c_days=\"-1\": want a whole number of days, 0 to 3650 (10 years)"; got != want {
		t.Errorf("Err() = %q, want %q", got, want)
	}
}

// TestParamMessages builds catalogue rules with one bad parameter each and
// checks the reason the user reads: it says exactly what the rule accepts
// (0 included or not) and that a value too large to hold is too large,
// not that it is negative.
func TestParamMessages(t *testing.T) {
	const (
		above0   = `want a duration above 0, at most 87600h (10 years), such as "90s", "60m" or "24h" (a bare number is seconds)`
		dur0     = `want a duration from 0 to 87600h (10 years), such as "90s", "60m" or "24h" (a bare number is seconds)`
		longDur  = "too large; "
		bigInt   = "too large (the largest whole number is 9223372036854775807); "
		int0     = "want a whole number, 0 or more"
		int1     = "want a whole number, at least 1"
		float0   = "want a number, 0 or more, such as 3 or 1.5"
		bytesArg = `want a number of bytes such as 134217728 or "128MiB" (units: B, KiB, MiB, GiB, kB, MB, GB)`
		days3    = "want a whole number of days, 3 to 3650 (10 years)"
		manyDays = "too large (at most 3650 days, 10 years); "
	)
	tests := []struct {
		rule, param, value, want string
	}{
		{"sentinel.impersonation", "max_session", "-1h", above0},
		{"sentinel.impersonation", "max_session", "0", above0},
		{"sentinel.impersonation", "max_session", "0s", above0},
		{"sentinel.impersonation", "max_session", "soon", above0},
		{"sentinel.impersonation", "max_session", "99999999999h", longDur + above0},
		{"sentinel.bruteforce", "window", "99999999999h", longDur + above0},
		{"sentinel.bruteforce", "window", "9999999999999", longDur + above0}, // seconds
		{"sentinel.bruteforce", "window", "-9999999999999", above0},
		// Within a time.Duration, but window_start and suppression ends
		// would overflow the Unix nanoseconds of event times.
		{"sentinel.bruteforce", "window", "2562047h", longDur + above0},
		{"sentinel.bruteforce", "window", "87601h", longDur + above0},
		{"sentinel.bruteforce", "window", "315360001", longDur + above0}, // seconds: 10 years and 1 s
		{"sentinel.bruteforce", "learning_period", "100000h", longDur + above0},
		{"sentinel.bruteforce", "suppress", "2562047h", longDur + dur0},
		{"sentinel.repo_deletion", "window", "2562047h", longDur + above0},
		{"sentinel.repo_deletion", "bucket", "2562047h", longDur + above0},
		{"gitlab.password_spray", "window", "2562047h", longDur + above0},
		{"gitlab.distributed_guessing", "window", "2562047h", longDur + above0},
		{"sentinel.impersonation", "max_session", "2562047h", longDur + above0},
		{"falco.pat_created", "suppress", "2562047h", longDur + dur0},
		{"sentinel.bruteforce", "bucket", "-5m", above0},
		{"sentinel.bruteforce", "learning_period", "-1h", above0},
		{"sentinel.bruteforce", "suppress", "-1m", dur0},
		{"sentinel.bruteforce", "suppress", "99999999999h", longDur + dur0},
		{"falco.pat_created", "suppress", "later", dur0},
		// a fraction of a second without a unit: say to write the unit
		{"sentinel.bruteforce", "window", "1.5", "a bare number is whole seconds: write 1.5s for 1.5 seconds; " + above0},
		{"falco.pat_created", "suppress", "90.0", "a bare number is whole seconds: write 90.0s for 90.0 seconds; " + dur0},
		{"sentinel.bruteforce", "window", "-1.5", above0},
		// days and weeks: say the hours (trial 273)
		{"sentinel.bruteforce", "window", "1d", "days are not a unit: write 24h for 1d; " + above0},
		{"sentinel.bruteforce", "learning_period", "2w", "weeks are not a unit: write 336h for 2w; " + above0},
		{"falco.pat_created", "suppress", "7d", "days are not a unit: write 168h for 7d; " + dur0},
		{"falco.pat_created", "suppress", "99999999d", dur0},
		{"sentinel.bruteforce", "max_keys", "-1", int1},
		{"sentinel.bruteforce", "max_keys", "0", int1},
		{"sentinel.bruteforce", "max_keys", "1.5", int1},
		{"sentinel.bruteforce", "max_keys", "many", int1},
		{"sentinel.bruteforce", "max_keys", "99999999999999999999", bigInt + int1},
		{"sentinel.bruteforce", "learning_period", "30m", "want a duration, at least 1h"},
		{"sentinel.bruteforce", "bucket", "2h", "want a duration, at most the window (1h0m0s): the window slides in steps of bucket"},
		{"sentinel.bruteforce", "min_count", "-3", int0},
		{"sentinel.bruteforce", "min_count", "99999999999999999999", bigInt + int0},
		{"sentinel.bruteforce", "min_count", "-99999999999999999999", int0},
		{"sentinel.bruteforce", "sd_factor", "-1", float0},
		{"sentinel.bruteforce", "sd_factor", "1e999", "too large (the largest number is 1.7976931348623157e+308); " + float0},
		{"sentinel.bruteforce", "sd_factor", "Inf", "too large (the largest number is 1.7976931348623157e+308); " + float0},
		{"sentinel.bruteforce", "sd_factor", "NaN", float0},
		{"sentinel.pat_over_time", "min_tokens", "-1", int0},
		{"sentinel.pat_over_time", "anomaly_days", "-1", days3},
		{"sentinel.pat_over_time", "anomaly_days", "2.5", days3},
		{"sentinel.pat_over_time", "anomaly_days", "2", days3},
		// Days are bounded: a fit allocates one number per day.
		{"sentinel.pat_over_time", "anomaly_days", "3651", manyDays + days3},
		{"sentinel.pat_over_time", "anomaly_days", "100000000", manyDays + days3},
		{"sentinel.pat_over_time", "anomaly_days", "99999999999999999999", manyDays + days3},
		{"gitlab.password_spray", "min_users", "-1", int1},
		{"gitlab.password_spray", "window", "-1h", above0},
		{"sentinel.impersonation", "max_pending", "-1", int1},
		{"sentinel.impersonation", "max_lookback_bytes", "99999999999GiB", "too large (the most is 9223372036854775807 bytes); " + bytesArg},
		{"sentinel.impersonation", "max_lookback_bytes", "-1", bytesArg},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.param+"="+tt.value, func(t *testing.T) {
			cfg := Config{Only: []string{tt.rule}, Rules: map[string]RuleConfig{tt.rule: {Params: map[string]string{tt.param: tt.value}}}}
			_, err := New(cfg)
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("New: %v, want a *ParamError", err)
			}
			if pe.Rule != tt.rule || pe.Param != tt.param || pe.Value != tt.value || pe.Reason != tt.want {
				t.Errorf("got rule %s param %s=%q: %q\nwant rule %s param %s=%q: %q", pe.Rule, pe.Param, pe.Value, pe.Reason, tt.rule, tt.param, tt.value, tt.want)
			}
			if n := strings.Count(err.Error(), "parameter "+tt.param+"="); n != 1 {
				t.Errorf("%d errors for %s, want 1: %v", n, tt.param, err)
			}
		})
	}
}
