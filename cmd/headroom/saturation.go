package main

import (
	"context"
	"strconv"
	"strings"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/collect"
	"github.com/headroom-dev/headroom/sampler/saturation"
)

// saturationCollectors: the kernel's saturation counters are always read;
// they need no configuration, and what an unprivileged user cannot read is
// reported as unknown in the snapshot, never as an error.
func saturationCollectors(context.Context, sharedFlags, settings) ([]sampler.Collector, error) {
	return []sampler.Collector{collect.NewSaturation(saturation.Config{})}, nil
}

// saturationCSV are one --log row's saturation cells: each finding's
// now, absent (an empty cell) where the machine did not have it.
func saturationCSV(a advisor.Advice) map[string]string {
	cells := map[string]string{"provisional": strconv.FormatBool(a.Provisional)}
	for col, metric := range map[string]string{"queue": advisor.KeyQueue, "psi_memory": advisor.MetricName(advisor.KeyPSI, "memory"),
		"oom": advisor.KeyOOM, "fds": advisor.KeyFDs} {
		if f, ok := a.Finding(metric); ok {
			cells[col] = strconv.FormatFloat(f.Now, 'f', 1, 64)
		}
	}
	return cells
}

// saturationEnv are the --on-change variables beyond each finding's now
// (HEADROOM_QUEUE, HEADROOM_OOM, HEADROOM_FDS, HEADROOM_PSI_MEMORY, …):
// whether the verdict is provisional, and what the findings name.
func saturationEnv(a advisor.Advice) []string {
	env := []string{"HEADROOM_PROVISIONAL=" + strconv.FormatBool(a.Provisional)}
	if st := a.Saturation; st != nil {
		env = append(env, "HEADROOM_QUEUE_LISTENER="+st.Listener,
			"HEADROOM_LISTEN_DROPS="+strconv.FormatUint(st.Dropped, 10),
			"HEADROOM_OOM_VICTIMS="+strings.Join(st.OOMVictims, ","),
			"HEADROOM_FDS_PROCESS="+st.FDs)
	}
	if w := a.Workers; w.Busy != nil && w.Queued != nil {
		env = append(env, "HEADROOM_WORKERS_BUSY="+strconv.Itoa(*w.Busy), "HEADROOM_WORKERS_QUEUED="+strconv.Itoa(*w.Queued),
			"HEADROOM_WORKERS_REASON="+w.Reason)
	}
	return env
}
