package pipeline

// Crash points: places between two outside steps where a crash must lose
// and double nothing. The crash-safety tests run the cycle in a child
// process with Options.Failpoint set to kill it at one of them, restart
// it, and check that every claim was sent once and every remittance
// posted once. A name is "job:where".
//
// Failpoints lists them; each is passed where the pipeline calls
// p.crashPoint with it.
func Failpoints() []string {
	return []string{}
}

// crashPoint calls the failpoint hook, when there is one, with name.
func (p *Pipeline) crashPoint(name string) {
	if p.failpoint != nil {
		p.failpoint(name)
	}
}
