package detect

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// appendRFC3339 appends t as t.AppendFormat(b, time.RFC3339Nano) does,
// byte for byte: the fraction without trailing zeros (no dot when it is
// zero), "Z" for UTC. Times in UTC with a year of 0 to 9999, which are
// all an alert holds, take a direct path several times cheaper than
// AppendFormat's; others are given to AppendFormat.
func appendRFC3339(b []byte, t time.Time) []byte {
	sec := t.Unix()
	if t.Location() != time.UTC || sec < minRFC3339 || sec >= maxRFC3339 {
		return t.AppendFormat(b, time.RFC3339Nano)
	}
	days, rem := (sec-minRFC3339)/86400, (sec-minRFC3339)%86400
	y, m, d := civil(days)
	h, mi, s := rem/3600, rem/60%60, rem%60
	var w [30]byte // "2006-01-02T15:04:05.999999999Z"
	put2(w[0:], y/100)
	put2(w[2:], y%100)
	w[4] = '-'
	put2(w[5:], m)
	w[7] = '-'
	put2(w[8:], d)
	w[10] = 'T'
	put2(w[11:], h)
	w[13] = ':'
	put2(w[14:], mi)
	w[16] = ':'
	put2(w[17:], s)
	n := 19
	if ns := int64(t.Nanosecond()); ns != 0 {
		w[19] = '.'
		put2(w[20:], ns/10_000_000)
		put2(w[22:], ns/100_000%100)
		put2(w[24:], ns/1000%100)
		put2(w[26:], ns/10%100)
		w[28] = byte('0' + ns%10)
		n = 29
		for w[n-1] == '0' {
			n--
		}
	}
	w[n] = 'Z'
	return append(b, w[:n+1]...)
}

// put2 writes the two digits of v (0 to 99) at b.
func put2(b []byte, v int64) {
	b[0], b[1] = digits2[2*v], digits2[2*v+1]
}

// minRFC3339 and maxRFC3339 bound (Unix seconds) the times appendRFC3339
// writes itself: 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z.
const (
	minRFC3339 = -62167219200
	maxRFC3339 = 253402300800
)

// civil returns the date (proleptic Gregorian) days after 0000-01-01.
// It is Howard Hinnant's civil_from_days, shifted to that epoch, which is
// the start of a 400-year era and of a March-based year's January.
func civil(days int64) (y, m, d int64) {
	z := days - 60 // days since 0000-03-01
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11], March first
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// digits2 holds the two digits of 0 to 99, in order.
const digits2 = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// createdTime is createdOr(created, t) (the instant of a CreatedAt value
// in UTC, else t) with the forms GitLab writes, "2024-05-31T14:00:03.274Z"
// and "2024-05-31T14:00:03.274+00:00" (UTC, up to 9 digits of fraction),
// read directly, several times cheaper than time.Parse; any other text is
// given to createdOr.
func createdTime(created string, t time.Time) time.Time {
	if sec, ns, ok := parseUTC(created); ok {
		return time.Unix(sec, ns).UTC()
	}
	return createdOr(created, t)
}

// parseUTC reads s as "YYYY-MM-DDTHH:MM:SS[.F]Z" or with "+00:00" for
// "Z", F 1 to 9 digits, and returns its Unix seconds and nanoseconds. It
// reports false for any other text, and for a date or time out of range,
// which time.Parse would reject or read otherwise.
func parseUTC(s string) (sec, ns int64, ok bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return 0, 0, false
	}
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	h, ok4 := digits(s[11:13])
	mi, ok5 := digits(s[14:16])
	se, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h > 23 || mi > 59 || se > 59 {
		return 0, 0, false
	}
	rest := s[19:]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 || n > 10 {
			return 0, 0, false
		}
		f, _ := digits(rest[1:n])
		for k := n; k < 10; k++ {
			f *= 10
		}
		ns, rest = f, rest[n:]
	}
	if rest != "Z" && rest != "+00:00" {
		return 0, 0, false
	}
	return daysFrom0(y, mo, d)*86400 + minRFC3339 + h*3600 + mi*60 + se, ns, true
}

// digits returns the decimal value of s, all ASCII digits (false if not).
func digits(s string) (int64, bool) {
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		v = v*10 + int64(c)
	}
	return v, true
}

// daysIn returns the number of days of month m (1 to 12) of year y.
func daysIn(m, y int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFrom0 returns the days from 0000-01-01 to date y-m-d (y 0 to 9999),
// the inverse of civil.
func daysFrom0(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400                     // [0, 399]
	mp := (m + 9) % 12                     // March = 0
	doy := (153*mp+2)/5 + d - 1            // [0, 365]
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return era*146097 + doe + 60
}

// WrittenDuration formats d as a user writes it in a configuration,
// unrounded and in hours at most: "2m", "24h", "90s", "700ms", "1h0m0.1s"
// (time.Duration's String gives "2m0s").
func WrittenDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// ShortDuration formats d, for the diagnostics of late and misdated lines, to the second without zero trailing units:
// "8h", "2h30m", "3m5s"; from 48 hours on, in days and whole hours:
// "2032d4h", "3d". The largest Duration, which time.Time.Sub returns for
// a gap it cannot hold (a line dated in the year 9999), is "more than 292
// years".
func ShortDuration(d time.Duration) string {
	if d == math.MaxInt64 {
		return "more than 292 years"
	}
	if d >= 48*time.Hour { // a clock step of years reads better in days: "2032d4h", not "48772h"
		d = d.Round(time.Hour)
		days, rest := d/(24*time.Hour), d%(24*time.Hour)/time.Hour
		if rest == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd%dh", days, rest)
	}
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
