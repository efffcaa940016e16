package vantage

import (
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// HistoryWindow is how far back History reaches.
const HistoryWindow = time.Hour

// maxMarks bounds the history whatever the interval (an hour of 5 s rounds), keeping /status small.
const maxMarks = 720

// Mark is one round in brief, for the status page's strip.
type Mark struct {
	At       time.Time  `json:"at"`
	Primary  bool       `json:"primary_ok"`
	Standby  bool       `json:"standby_ok"`
	Active   state.Side `json:"active,omitempty"`
	Switched bool       `json:"switched,omitempty"`
	Error    bool       `json:"error,omitempty"`
}

func markOf(r Round) Mark {
	return Mark{At: r.At, Primary: r.Primary.OK, Standby: r.Standby.OK, Active: r.Active, Switched: r.Switched, Error: r.Error != ""}
}

// appendMark adds m and drops what is older than HistoryWindow.
func appendMark(marks []Mark, m Mark) []Mark {
	marks = append(marks, m)
	cut := 0
	for cut < len(marks) && (m.At.Sub(marks[cut].At) > HistoryWindow || len(marks)-cut > maxMarks) {
		cut++
	}
	return marks[cut:]
}

// History returns the last hour of rounds, oldest first.
func (v *Vantage) History() []Mark {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Mark(nil), v.marks...)
}
