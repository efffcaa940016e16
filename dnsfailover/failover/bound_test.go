package failover

import (
	"testing"
	"time"
)

func TestDetectionBound(t *testing.T) {
	s := time.Second
	tests := []struct {
		interval, fast time.Duration
		failAfter      int
		timeout, write time.Duration
		want           time.Duration
	}{
		{10 * s, 2 * s, 3, 3 * s, 10 * s, 10*s + 2*3*s + 3*3*s + 10*s}, // re-checks a timeout apart
		{10 * s, 4 * s, 3, 3 * s, 10 * s, 10*s + 2*4*s + 3*3*s + 10*s},
		{10 * s, 2 * s, 1, 3 * s, 0, 10*s + 3*3*s}, // no re-checks
	}
	for _, tc := range tests {
		if got := DetectionBound(tc.interval, tc.fast, tc.failAfter, tc.timeout, tc.write); got != tc.want {
			t.Errorf("DetectionBound(%s, %s, %d, %s, %s) = %s, want %s", tc.interval, tc.fast, tc.failAfter, tc.timeout, tc.write, got, tc.want)
		}
	}
}
