package procs

// How often a known process is looked at: the checks that make a sample
// at +1000 processes cheap.

// pssEvery is how often (in samples) an app server's PSS is re-read. The
// kernel walks every page table of the process to produce smaps_rollup:
// with a few busy workers it was half of a sample's CPU, and worker sizing
// needs PSS to the megabyte, not to the second.
const pssEvery = 5

// A process found asleep idleAfter checks in a row is checked every
// second sample, and after longIdleAfter every fourth (staggered by pid):
// on a host with a thousand idle workers, most of a sample was asking
// each of them whether it had run. One that wakes shows its CPU at its
// next check, over the time since the one before; one that exits leaves
// the list as late.
const (
	idleAfter     = 10
	longIdleAfter = 60
)

// skip is true when e is not to be checked this sample.
func (t *Table) skip(pid int32, e *procEntry) bool {
	if e.sfd < 0 || e.threads != 1 || e.idle < idleAfter {
		return false
	}
	every := 2
	if e.idle >= longIdleAfter {
		every = 4
	}
	return (t.round+int(pid))%every != 0
}

// refreshPSS re-reads an app server's PSS every pssEvery samples (at once
// after it appears or execs).
func (t *Table) refreshPSS(pid int32, e *procEntry) {
	if !e.appSrv {
		return
	}
	if e.pssAge%pssEvery == 0 {
		e.pss = t.pss(pid)
	}
	e.pssAge++
}
