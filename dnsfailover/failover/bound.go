package failover

import "time"

// DetectionBound is the longest a real outage of the primary takes to change
// the record, the one formula README, check-config, the local scenarios and
// the benchmark quote: I + (K−1)·max(F, T) + 3T + W.
//
//   - up to one interval I until the first failed check;
//   - K−1 = failAfter−1 re-checks, each at least max(F, T) after the one
//     before (a re-check never starts before the previous check ended, so
//     with a hanging primary they are a probe timeout T apart);
//   - one T for the last check to time out, one T for the peers' fresh
//     observations (each checks the origin before answering), and one T
//     more when that verdict rests on a single down vote and is confirmed
//     by asking again (quorum.Verdict.DownSpare): with vantage points dead
//     or cut off, exactly the quorum may see the outage;
//   - write: the DNS write with its read-back (the callers allow one
//     interval).
//
// When the vantage point first by id dies between asking for votes and
// writing, the next writes after at most one more PEER_TIMEOUT + Settle
// (vantage/writer.go); the bound is for the usual case.
func DetectionBound(interval, fast time.Duration, failAfter int, probeTimeout, write time.Duration) time.Duration {
	return interval + time.Duration(max(failAfter-1, 0))*max(fast, probeTimeout) + 3*probeTimeout + write
}
