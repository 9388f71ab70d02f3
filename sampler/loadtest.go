package sampler

// LoadStats is one interval of a `headroom load` test running beside the
// machine (sampler/load measures it): target and achieved requests/s,
// concurrency, success %, latency percentiles and errors by kind.
type LoadStats struct {
	URL        string         `json:"url"`
	Pattern    string         `json:"pattern"`
	ElapsedS   float64        `json:"elapsed_s"`
	TargetRPS  float64        `json:"target_rps,omitempty"` // 0 in closed-loop (--users) mode
	RPS        float64        `json:"rps"`
	Users      int            `json:"users"` // most requests in flight at once
	Requests   int            `json:"requests"`
	SuccessPct float64        `json:"success_pct"`
	P50        float64        `json:"p50_ms"`
	P95        float64        `json:"p95_ms"`
	P99        float64        `json:"p99_ms"`
	Errors     map[string]int `json:"errors,omitempty"`
	Done       bool           `json:"done,omitempty"` // the load has ended
	// WorkersCPUWait is the mean share (%) of the interval the loaded app
	// server's workers were runnable but waiting for a CPU.
	WorkersCPUWait float64 `json:"workers_cpu_wait_pct,omitempty"`
}
