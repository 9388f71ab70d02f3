package plan

import "math"

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values as width block characters between lo and hi (each
// character the mean of its share of the values), for a page or a terminal.
func Sparkline(values []float64, width int, lo, hi float64) string {
	if len(values) == 0 || width <= 0 {
		return ""
	}
	width = min(width, len(values))
	out := make([]rune, width)
	for i := range out {
		a, b := i*len(values)/width, (i+1)*len(values)/width
		m := Mean(values[a:b])
		f := 0.0
		if hi > lo {
			f = (m - lo) / (hi - lo)
		}
		k := int(math.Round(math.Max(0, math.Min(1, f)) * float64(len(sparkRunes)-1)))
		out[i] = sparkRunes[k]
	}
	return string(out)
}
