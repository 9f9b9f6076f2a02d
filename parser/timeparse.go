package parser

import (
	"encoding/binary"
	"time"
)

// The time parsers below read fixed layouts without allocating: they compute
// the wall time with time.Date in UTC and subtract the UTC offset, instead of
// building a time.Location per line.

// digits reads n ASCII digits at b[i:] as a number, or returns -1.
func digits(b []byte, i, n int) int {
	if i < 0 || i+n > len(b) {
		return -1
	}
	v := 0
	for _, c := range b[i : i+n] {
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int(c-'0')
	}
	return v
}

// validClock reports whether the date and clock fields are in range.
func validClock(y, mo, d, h, mi, s int) bool {
	return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(mo, y) &&
		h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 60
}

func daysIn(m, y int) int {
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

// ParseTime returns the instant of b, a time as the parsers read the
// EventTime and CreatedAt columns of JSON lines, in UTC: RFC 3339 (such as
// 2024-05-31T14:32:44.108Z or 2024-05-10T17:46:49.058+00:00), or that with
// a space for the T, without a zone (taken as UTC), with " UTC" or " +hhmm"
// (Ruby's Time#to_s: 2025-03-04 12:00:00 UTC, 2025-03-04 14:00:00 +0200)
// or with a +hhmm offset. It reports
// false for any other text and for a date or clock out of range; a second
// of 60, which RFC 3339 allows for a leap second (and time.Parse refuses),
// is the next minute's first.
func ParseTime(b []byte) (time.Time, bool) { return parseISOTime(b) }

// parseISOTime reads an RFC 3339 timestamp such as 2024-05-31T14:32:44.108Z
// or 2024-05-10T17:46:49.058+00:00 (a space instead of T, a missing zone, and
// a +0000 offset are accepted too; a missing zone means UTC).
func parseISOTime(b []byte) (time.Time, bool) {
	if len(b) == 24 && b[23] == 'Z' || len(b) == 29 && string(b[23:]) == "+00:00" {
		if t, ok := parseISOMillisUTC(b); ok {
			return t, true
		}
	}
	return parseISOTimeAny(b)
}

// parseISOTimeAny is parseISOTime without the fast path for the form GitLab
// writes.
func parseISOTimeAny(b []byte) (time.Time, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != 't' && b[10] != ' ') ||
		b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	y, mo, d := digits(b, 0, 4), digits(b, 5, 2), digits(b, 8, 2)
	h, mi, s := digits(b, 11, 2), digits(b, 14, 2), digits(b, 17, 2)
	if !validClock(y, mo, d, h, mi, s) {
		return time.Time{}, false
	}
	i, ns := 19, 0
	if i < len(b) && (b[i] == '.' || b[i] == ',') {
		i++
		scale := 100000000
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			ns += int(b[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == start {
			return time.Time{}, false
		}
	}
	off, ok := parseOffset(b[i:], true)
	if !ok {
		return time.Time{}, false
	}
	return utcTime(y, mo, d, h, mi, s, ns, off), true
}

// The ISO time layout 2006-01-02T15:04:05.000 as three little-endian words
// (see parseISOMillisUTC): isoDigitsN has 0xff in the bytes that hold a
// digit, isoLayoutN the separators with '0' in place of each digit. The last
// word's fourth fraction digit stands for the zone, checked by the caller.
const (
	isoDigits0 = 0x00ffff00ffffffff // 0000-00-
	isoLayout0 = 0x2d30302d30303030
	isoDigits1 = 0xffff00ffff00ffff // 00T00:00
	isoLayout1 = 0x30303a3030543030
	isoDigits2 = 0xffffffff00ffff00 // :00.0000
	isoLayout2 = 0x303030302e30303a
)

// allDigits8 reports whether every byte of x is an ASCII digit.
func allDigits8(x uint64) bool {
	const hi, six, zeros = 0xf0f0f0f0f0f0f0f0, 0x0606060606060606, 0x3030303030303030
	// No byte is above 0x3f once the first test holds, so adding 6 cannot
	// carry from one byte into the next.
	return x&hi == zeros && (x+six)&hi == zeros
}

// parseISOMillisUTC reads the form GitLab writes, 2024-05-31T14:00:00.022
// followed by Z or +00:00 (the caller checked which), with the same result
// as the general path of parseISOTime, reading eight bytes at a time.
func parseISOMillisUTC(b []byte) (time.Time, bool) {
	if len(b) < 24 {
		return time.Time{}, false
	}
	w0 := binary.LittleEndian.Uint64(b[0:8])
	w1 := binary.LittleEndian.Uint64(b[8:16])
	w2 := binary.LittleEndian.Uint64(b[16:24])&^(0xff<<56) | '0'<<56
	// Replacing each digit byte by '0' must give the layout, and the digit
	// bytes must be digits.
	if w0|isoDigits0 != isoLayout0|isoDigits0 || w1|isoDigits1 != isoLayout1|isoDigits1 ||
		w2|isoDigits2 != isoLayout2|isoDigits2 {
		return time.Time{}, false
	}
	const zeros = 0x3030303030303030
	if !allDigits8(w0&isoDigits0|zeros&^isoDigits0) || !allDigits8(w1&isoDigits1|zeros&^isoDigits1) ||
		!allDigits8(w2&isoDigits2|zeros&^isoDigits2) {
		return time.Time{}, false
	}
	b = b[:24]
	d := func(i int) int { return int(b[i] - '0') }
	y := d(0)*1000 + d(1)*100 + d(2)*10 + d(3)
	mo, day := d(5)*10+d(6), d(8)*10+d(9)
	h, mi, s := d(11)*10+d(12), d(14)*10+d(15), d(17)*10+d(18)
	if !validClock(y, mo, day, h, mi, s) {
		return time.Time{}, false
	}
	ns := (d(20)*100 + d(21)*10 + d(22)) * 1e6
	return utcTime(y, mo, day, h, mi, s, ns, 0), true
}

// utcTime returns the instant of the wall time y-mo-d h:mi:s.ns at offset
// off (seconds east of UTC), in UTC: what time.Date(..., time.UTC) minus the
// offset gives, without time.Date's normalisation. The fields must have
// passed validClock (s may be 60, which is the next minute's 0).
func utcTime(y, mo, d, h, mi, s, ns, off int) time.Time {
	sec := daysSinceEpoch(y, mo, d)*86400 + int64(h*3600+mi*60+s-off)
	return time.Unix(sec, int64(ns)).UTC()
}

// daysSinceEpoch returns the number of days from 1970-01-01 to y-mo-d in
// the proleptic Gregorian calendar (y >= 1), after Howard Hinnant's
// days_from_civil.
func daysSinceEpoch(y, mo, d int) int64 {
	if mo <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	doy := (153*((mo+9)%12)+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// parseOffset reads "", "Z", "+hh:mm", "+hhmm", " UTC" or " +hhmm" (Ruby's
// Time#to_s: 2024-01-01 10:00:00 +0200) and returns the offset east of UTC
// in seconds.
func parseOffset(b []byte, allowEmpty bool) (int, bool) {
	if len(b) == 6 && b[0] == ' ' && (b[1] == '+' || b[1] == '-') {
		b = b[1:]
	}
	switch {
	case len(b) == 0:
		return 0, allowEmpty
	case len(b) == 1 && (b[0] == 'Z' || b[0] == 'z'):
		return 0, true
	case string(b) == " UTC":
		return 0, true
	case b[0] != '+' && b[0] != '-':
		return 0, false
	}
	var h, m int
	switch len(b) {
	case 6:
		if b[3] != ':' {
			return 0, false
		}
		h, m = digits(b, 1, 2), digits(b, 4, 2)
	case 5:
		h, m = digits(b, 1, 2), digits(b, 3, 2)
	default:
		return 0, false
	}
	if h < 0 || m < 0 || h > 23 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if b[0] == '-' {
		off = -off
	}
	return off, true
}

// shortMonths are the English month abbreviations NGINX writes.
var shortMonths = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// monthHash is a perfect hash of shortMonths: entry monthSlot(m) holds m's
// three bytes (little-endian) and its number in the top byte.
var monthHash = func() (t [16]uint32) {
	for i, m := range shortMonths {
		v := uint32(m[0]) | uint32(m[1])<<8 | uint32(m[2])<<16
		if t[monthSlot(v)] != 0 {
			panic("parser: monthHash is not perfect")
		}
		t[monthSlot(v)] = v | uint32(i+1)<<24
	}
	return t
}()

func monthSlot(v uint32) uint32 { return v * 26596 >> 28 }

// monthAbbr maps the three-letter English month abbreviation to 1..12, or 0.
func monthAbbr(b []byte) int {
	if len(b) != 3 {
		return 0
	}
	v := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
	if e := monthHash[monthSlot(v)]; e&0xffffff == v {
		return int(e >> 24)
	}
	return 0
}

// Digit bytes of NGINX $time_local, 13/Jun/2024:10:55:45 +0800, read as
// three little-endian words (bytes 0-7, 8-15, 16-23): 0xff where a digit
// goes. Bytes 24 and 25 are digits too.
const (
	nginxDigits0 = 0xff000000_0000ffff // 13/Jun/2
	nginxDigits1 = 0xff00ffff_00ffffff // 024:10:5
	nginxDigits2 = 0xffff0000_ffff00ff // 5:45 +08
)

// parseNginxTime reads NGINX $time_local, 13/Jun/2024:10:55:45 +0800.
func parseNginxTime(b []byte) (time.Time, bool) {
	if len(b) != 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' || b[20] != ' ' ||
		b[21] != '+' && b[21] != '-' {
		return time.Time{}, false
	}
	const zeros = 0x3030303030303030
	w0 := binary.LittleEndian.Uint64(b[0:8])
	w1 := binary.LittleEndian.Uint64(b[8:16])
	w2 := binary.LittleEndian.Uint64(b[16:24])
	tail := uint64(b[24]) | uint64(b[25])<<8 | zeros&^0xffff
	if !allDigits8(w0&nginxDigits0|zeros&^nginxDigits0) || !allDigits8(w1&nginxDigits1|zeros&^nginxDigits1) ||
		!allDigits8(w2&nginxDigits2|zeros&^nginxDigits2) || !allDigits8(tail) {
		return time.Time{}, false
	}
	b = b[:26]
	dd := func(i int) int { return int(b[i]-'0')*10 + int(b[i+1]-'0') }
	d, mo, y := dd(0), monthAbbr(b[3:6]), dd(7)*100+dd(9)
	h, mi, s := dd(12), dd(15), dd(18)
	if !validClock(y, mo, d, h, mi, s) {
		return time.Time{}, false
	}
	oh, om := dd(22), dd(24)
	if oh > 23 || om > 59 {
		return time.Time{}, false
	}
	off := oh*3600 + om*60
	if b[21] == '-' {
		off = -off
	}
	return utcTime(y, mo, d, h, mi, s, 0, off), true
}

var longMonths = [...]string{"January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December"}

// parseLongTime reads Ruby's Time#to_s(:long), "October 06, 2014 11:56",
// at the start of b and returns the time (taken as UTC: the log does not say
// which zone it is in) and the length read.
func parseLongTime(b []byte) (time.Time, int, bool) {
	mo := 0
	for i, name := range longMonths {
		if len(b) > len(name) && string(b[:len(name)]) == name && b[len(name)] == ' ' {
			mo = i + 1
			b = b[len(name)+1:]
			break
		}
	}
	if mo == 0 || len(b) < 14 || b[2] != ',' || b[3] != ' ' || b[8] != ' ' || b[11] != ':' {
		return time.Time{}, 0, false
	}
	d, y, h, mi := digits(b, 0, 2), digits(b, 4, 4), digits(b, 9, 2), digits(b, 12, 2)
	if !validClock(y, mo, d, h, mi, 0) {
		return time.Time{}, 0, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, 0, 0, time.UTC), len(longMonths[mo-1]) + 1 + 14, true
}
