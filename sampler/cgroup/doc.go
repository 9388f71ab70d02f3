// Package cgroup reads the control groups processes run in — systemd units,
// containers, Kubernetes pods — and what each one uses against its own
// limits, on cgroup v2 (unified) and v1/hybrid hierarchies alike.
//
// A Reader finds the hierarchies from /proc/self/mountinfo once. Each
// interval, Read groups processes by their /proc/PID/cgroup and returns one
// Service per group with processes (the services view); LimitsFor gives the
// CPU and memory bounds a process runs under, for sizing app-server workers
// from the master's own group rather than the whole machine.
//
// On hybrid hosts a controller mounted in a v1 hierarchy is read there (that
// is where the kernel enforces its limits) and pressure from the unified
// hierarchy. A group's values are read only below the root of a hierarchy:
// the root's counters are the whole machine's.
package cgroup
