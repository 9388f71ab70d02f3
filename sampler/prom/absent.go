package prom

// absentKeys maps the parts a Point may lack to the advisor's metric keys
// (spelled here, since this package must not import the advisor).
var absentKeys = []struct {
	have Have
	key  string
}{
	{HaveCPU, "cpu"},
	{HaveMemory, "memory"},
	{HaveSwap, "swap"},
	{HaveDisks, "disk"},
	{HaveIOWait, "iowait"}, // its own series: all NaN, it is not 0 % iowait
}

// absent lists the metric keys whose series were missing at this Point, so
// the advisor leaves them out instead of judging a zero.
func (p Point) absent() []string {
	var out []string
	for _, a := range absentKeys {
		if p.Have&a.have == 0 {
			out = append(out, a.key)
		}
	}
	return out
}
