package dns

import (
	"net/netip"
	"strings"
)

// SameTarget compares two record contents as DNS and the providers'
// APIs do: addresses by value (2001:db8::1 is 2001:DB8:0::1), host names
// without regard to case or a trailing dot. Configured targets are written
// by people; what the API returns is normalised.
func SameTarget(a, b string) bool {
	if x, err := netip.ParseAddr(a); err == nil {
		y, err := netip.ParseAddr(b)
		return err == nil && x == y
	}
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}
