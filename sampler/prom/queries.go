package prom

import (
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// Pseudo and special filesystems left out of Disks, as df and the advisor do;
// node_exporter already drops proc, sysfs, cgroup and the like by default.
const pseudoFS = "tmpfs|ramfs|devtmpfs|overlay|squashfs|erofs|iso9660|nsfs|fuse.lxcfs|autofs|proc|sysfs|cgroup2?"

// Devices stacked on whole disks (device mapper, md) or not disks at all;
// node_exporter already leaves out partitions, so the rest are whole disks.
const notWholeDisk = "(dm-|md|loop|ram|zram|sr|fd).*"

// field is one piece of a Snapshot a query fills in.
type field int

const (
	fUp field = iota
	fCPU
	fIOWait
	fSteal
	fCores
	fMemTotal
	fMemAvail
	fSwapTotal
	fSwapFree
	fFSSize
	fFSFree
	fFSAvail
	fLoad1
	fLoad5
	fLoad15
	fUptime
	fIORead
	fIOWrite
	fNetIn
	fNetOut
	fPSICPU10
	fPSICPU60
	fPSIMem10
	fPSIMem60
	fPSIMemFull10
	fPSIMemFull60
	fPSIIO10
	fPSIIO60
	fPSIIOFull10
	fPSIIOFull60
)

// query is one PromQL expression answering one field for every instance.
type query struct {
	field field
	name  string // short, for errors and test fixtures
	expr  string
}

// selectorMatchers turns `{job="node"}` into `job="node"`, the text placed
// inside each metric's braces.
func selectorMatchers(sel string) (string, error) {
	s := strings.TrimSpace(sel)
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return "", fmt.Errorf("selector %q: want label matchers in braces, e.g. {job=\"node\"}", sel)
	}
	inner := strings.TrimSpace(s[1 : len(s)-1])
	if strings.ContainsAny(inner, "{}") || strings.ContainsFunc(inner, func(r rune) bool { return r < 0x20 }) {
		return "", fmt.Errorf("selector %q: want one set of label matchers, e.g. {job=\"node\"}", sel)
	}
	return strings.TrimSuffix(inner, ","), nil
}

// buildQueries writes every query for the selector's matchers m.
func buildQueries(m string, rateRange time.Duration) []query {
	r := model.Duration(rateRange).String()
	sel := func(extra string) string {
		switch {
		case m == "":
			return "{" + extra + "}"
		case extra == "":
			return "{" + m + "}"
		}
		return "{" + m + ", " + extra + "}"
	}
	gauge := func(metric, extra string) string {
		return "max by (instance) (" + metric + sel(extra) + ")"
	}
	fs := `fstype!="", fstype!~"` + pseudoFS + `", mountpoint!="", readonly!="1"`
	fsGauge := func(metric string) string {
		return "max by (instance, mountpoint, device, fstype) (" + metric + sel(fs) + ")"
	}
	sumRate := func(metric, extra, rng string) string {
		return "sum by (instance) (rate(" + metric + sel(extra) + "[" + rng + "]))"
	}
	// PSI counters are seconds stalled per second; × 100 is the kernel's percentage.
	psi := func(metric, rng string) string {
		return "100 * " + sumRate(metric, "", rng)
	}
	return []query{
		{fUp, "up", gauge("up", "")},
		// The mixin's instance:node_cpu_utilisation: 1 − mean idle share of all cores.
		{fCPU, "cpu", "1 - avg by (instance) (rate(node_cpu_seconds_total" + sel(`mode="idle"`) + "[" + r + "]))"},
		{fIOWait, "iowait", "avg by (instance) (rate(node_cpu_seconds_total" + sel(`mode="iowait"`) + "[" + r + "]))"},
		{fSteal, "steal", "avg by (instance) (rate(node_cpu_seconds_total" + sel(`mode="steal"`) + "[" + r + "]))"},
		// The mixin's instance:node_num_cpu:sum.
		{fCores, "cores", "count by (instance) (node_cpu_seconds_total" + sel(`mode="idle"`) + ")"},
		{fMemTotal, "mem_total", gauge("node_memory_MemTotal_bytes", "")},
		{fMemAvail, "mem_available", gauge("node_memory_MemAvailable_bytes", "")},
		{fSwapTotal, "swap_total", gauge("node_memory_SwapTotal_bytes", "")},
		{fSwapFree, "swap_free", gauge("node_memory_SwapFree_bytes", "")},
		{fFSSize, "fs_size", fsGauge("node_filesystem_size_bytes")},
		{fFSFree, "fs_free", fsGauge("node_filesystem_free_bytes")},
		{fFSAvail, "fs_avail", fsGauge("node_filesystem_avail_bytes")},
		{fLoad1, "load1", gauge("node_load1", "")},
		{fLoad5, "load5", gauge("node_load5", "")},
		{fLoad15, "load15", gauge("node_load15", "")},
		{fUptime, "uptime", "max by (instance) (node_time_seconds" + sel("") + " - node_boot_time_seconds" + sel("") + ")"},
		{fIORead, "io_read", sumRate("node_disk_read_bytes_total", `device!~"`+notWholeDisk+`"`, r)},
		{fIOWrite, "io_write", sumRate("node_disk_written_bytes_total", `device!~"`+notWholeDisk+`"`, r)},
		{fNetIn, "net_in", sumRate("node_network_receive_bytes_total", `device!="lo"`, r)},
		{fNetOut, "net_out", sumRate("node_network_transmit_bytes_total", `device!="lo"`, r)},
		{fPSICPU10, "psi_cpu_10", psi("node_pressure_cpu_waiting_seconds_total", r)},
		{fPSICPU60, "psi_cpu_60", psi("node_pressure_cpu_waiting_seconds_total", "1m")},
		{fPSIMem10, "psi_mem_10", psi("node_pressure_memory_waiting_seconds_total", r)},
		{fPSIMem60, "psi_mem_60", psi("node_pressure_memory_waiting_seconds_total", "1m")},
		{fPSIMemFull10, "psi_mem_full_10", psi("node_pressure_memory_stalled_seconds_total", r)},
		{fPSIMemFull60, "psi_mem_full_60", psi("node_pressure_memory_stalled_seconds_total", "1m")},
		{fPSIIO10, "psi_io_10", psi("node_pressure_io_waiting_seconds_total", r)},
		{fPSIIO60, "psi_io_60", psi("node_pressure_io_waiting_seconds_total", "1m")},
		{fPSIIOFull10, "psi_io_full_10", psi("node_pressure_io_stalled_seconds_total", r)},
		{fPSIIOFull60, "psi_io_full_60", psi("node_pressure_io_stalled_seconds_total", "1m")},
	}
}
