package world

import "time"

// clockFor is vantage id's clock: Options.Clock's, or time.Now.
func (o Options) clockFor(id string) func() time.Time {
	if o.Clock != nil {
		if now := o.Clock(id); now != nil {
			return now
		}
	}
	return time.Now
}

// Skewed returns a Options.Clock that runs the clocks of the vantage points
// named in skew ahead (positive) or behind (negative) by their offset, and
// every other clock on time, as a vantage point with a drifting or
// misconfigured clock would be.
func Skewed(skew map[string]time.Duration) func(id string) func() time.Time {
	return func(id string) func() time.Time {
		d, ok := skew[id]
		if !ok {
			return nil
		}
		return func() time.Time { return time.Now().Add(d) }
	}
}
