package sampler

// Service is one control group with processes in it (a systemd unit, a
// container, a Kubernetes pod), as the services view, recordings and
// `once --json` ("services") carry it. Pointers are null when unknown or,
// for limits, when there is no limit.
type Service struct {
	Name        string   `json:"name"` // "gunicorn.service", a container name, a pod, or the path
	Path        string   `json:"path"` // the cgroup path
	CPUPct      *float64 `json:"cpu_pct"`
	MemoryBytes *uint64  `json:"memory_bytes"`
	MemoryMax   *uint64  `json:"memory_max"`    // memory.max / memory.limit_in_bytes; null = unlimited
	CPUMaxCores *float64 `json:"cpu_max_cores"` // cpu.max or cfs quota/period; null = unlimited
	// ThrottledPct is the share of CPU periods throttled over the interval.
	ThrottledPct *float64 `json:"throttled_pct"`
	// OOMKills are the processes the kernel killed at this group's limit during the interval.
	OOMKills *uint64 `json:"oom_kills"`
	PIDs     *uint64 `json:"pids"` // pids.current (tasks, threads included)

	// The rest is for the live screen only: recordings and JSON keep the keys above.
	Kind       string   `json:"-"` // systemd, docker, podman, containerd, cri-o, kubernetes or path
	Procs      int      `json:"-"` // processes of the snapshot in the group
	PIDsMax    *uint64  `json:"-"`
	SwapBytes  *uint64  `json:"-"`
	MemPSI     *float64 `json:"-"` // the group's own memory pressure, "some" avg10
	CPUPSI     *float64 `json:"-"`
	MemMaxHits *uint64  `json:"-"` // times usage hit the limit during the interval (memory.events max, v1 failcnt)
}

// MemoryPct is memory in use as a share of the group's limit; ok is false
// without a limit.
func (s Service) MemoryPct() (float64, bool) {
	if s.MemoryBytes == nil || s.MemoryMax == nil || *s.MemoryMax == 0 {
		return 0, false
	}
	return float64(*s.MemoryBytes) / float64(*s.MemoryMax) * 100, true
}

// QuotaPct is CPU use as a share of the group's quota; ok is false without
// a quota or before a rate is known.
func (s Service) QuotaPct() (float64, bool) {
	if s.CPUPct == nil || s.CPUMaxCores == nil || *s.CPUMaxCores <= 0 {
		return 0, false
	}
	return *s.CPUPct / *s.CPUMaxCores, true
}

// GroupLimits are the CPU and memory bounds one process runs under, from
// its cgroup and the cgroup's ancestors: what the worker formula sizes an
// app server's master by.
type GroupLimits struct {
	// Source names the group that limits the process ("gunicorn.service", a
	// container name), or "host" when no cgroup limits it.
	Source string  `json:"source"`
	Cores  float64 `json:"cores,omitempty"`  // CPU quota in cores; 0 = none
	Memory uint64  `json:"memory,omitempty"` // memory limit in bytes; 0 = none
}
