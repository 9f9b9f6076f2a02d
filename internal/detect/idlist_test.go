package detect

import (
	"slices"
	"strconv"
	"testing"
	"unsafe"
)

// TestIDList checks the EventIDs an idList keeps: in event-time order,
// none empty, the most recent MaxEventIDs, never more room than that, and
// no byte of the event's line.
func TestIDList(t *testing.T) {
	var l idList
	line := "id=12345"
	l.add("", 5)
	l.add(line[3:], 50) // a piece of a line
	for i := 1; i <= 30; i++ {
		if i != 5 {
			l.add(strconv.Itoa(i), int64(10*i))
		}
	}
	l.add("old", 1) // older than the 20 kept
	l.add("tie", 300)
	want := []string{"12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26",
		"27", "28", "29", "30", "tie"}
	if got := l.all(); !slices.Equal(got, want) {
		t.Errorf("all() = %q, want %q", got, want)
	}
	if cap(l) > MaxEventIDs {
		t.Errorf("cap %d, want at most %d", cap(l), MaxEventIDs)
	}
	if got, want := l.ids(150, 170), []string{"15", "16"}; !slices.Equal(got, want) {
		t.Errorf("ids(150, 170) = %q, want %q", got, want)
	}
	if got := l.ids(0, 100); got != nil {
		t.Errorf("ids(0, 100) = %q, want nil", got)
	}
	l.expire(295)
	if got, want := l.all(), []string{"30", "tie"}; !slices.Equal(got, want) {
		t.Errorf("after expire(295): %q, want %q", got, want)
	}
	l.expire(301)
	if l != nil {
		t.Errorf("after expire(301): %q, want nil", l.all())
	}

	var short idList
	short.add(line[3:], 1)
	if short[0].ID != "12345" || unsafe.StringData(short[0].ID) == unsafe.StringData(line[3:]) {
		t.Errorf("kept %q at %p, want a copy of %q", short[0].ID, unsafe.StringData(short[0].ID), line[3:])
	}

	hand := idList{{"b", 20}, {"", 15}, {"a", 10}}
	for i := range 25 {
		hand = append(hand, stampedID{strconv.Itoa(i), int64(100 + i)})
	}
	got := hand.restored().all()
	if len(got) != MaxEventIDs || got[0] != "5" || got[MaxEventIDs-1] != "24" {
		t.Errorf("restored() = %q, want 5 to 24", got)
	}
	if got := (idList{{"b", 20}, {"", 15}, {"a", 10}}).restored().all(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("restored() = %q, want a, b", got)
	}
}
