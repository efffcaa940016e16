package config

// The operator's view of the configuration: what a manual failover
// (functions/failover) needs, and nothing a vantage point alone needs.
//
// An operator moves traffic by hand from a laptop, often while part of the
// deployment is down, with an env file that may have been written for that
// purpose alone. It reads and writes the record (DNS settings), checks both
// targets before a move (check settings) and shows what every vantage point
// sees (SWITCHYARD_PEERS, optional, read through the unsigned GET /status).
// It never votes and never signs, so SWITCHYARD_VANTAGE, SWITCHYARD_SECRET,
// the quorum and the probe timing are not required of it.

// LoadOperator reads the configuration from the environment like Load and
// validates it with ValidateOperator's rules. Every value that cannot be
// parsed is still reported, used or not: a garbled env file deserves a fix
// before anyone moves traffic with it.
func LoadOperator() (Config, error) {
	c, unparsed, problems := parseEnv()
	problems = append(problems, c.validateOperator(unparsed)...)
	if len(problems) > 0 {
		return Config{}, &ValidationError{Problems: problems}
	}
	return c, nil
}

// ValidateOperator checks what a manual failover uses: the record and its
// targets, both checks, the DNS provider and SWITCHYARD_PEERS (when set,
// their URLs), and SWITCHYARD_FAILBACK (shown in the status). It returns a
// *ValidationError listing every problem, or nil.
func (c Config) ValidateOperator() error {
	if problems := c.validateOperator(nil); len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}

func (c Config) validateOperator(unparsed map[string]bool) []string {
	k := &checker{unparsed: unparsed}
	c.checkRecord(k)
	c.checkChecks(k)
	if c.Vantage != "" && !validVantageID(c.Vantage) {
		// Optional here, but when given it names a row of the status table.
		k.add("SWITCHYARD_VANTAGE", "%q: %s", c.Vantage, vantageIDForm)
	}
	if c.Failback != "manual" && c.Failback != "auto" {
		k.add("SWITCHYARD_FAILBACK", "%q: want manual or auto", c.Failback)
	}
	c.checkDNS(k)
	c.checkParity(k)
	c.checkNotify(k)
	return k.problems
}
