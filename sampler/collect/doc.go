// Package collect adapts the reader packages (access logs, services, SQL
// logs, …) to sampler.Collector, one file per kind of evidence, so the
// readers need not import sampler and a Snapshot field cannot cycle.
package collect
