package dns

// Holds reports whether s already shows change c: the target (compared as
// DNS does) and exactly the state c writes. A write whose answer was lost,
// or whose caller gave up after the commit, is recognised by it.
func (s Snapshot) Holds(c Change) bool {
	return s.HasState && s.State.Format() == c.State.Format() && SameTarget(s.Content, c.Target)
}
