package tui

import (
	"math"
	"strings"
)

// lowerBlocks are the eighths of a cell, from nothing to a full block.
var lowerBlocks = [9]rune{0, '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'}

// sparkLines draws data (newest at the right) as columns of block
// elements, w wide and h tall, scaled to maxV (0: to the data's maximum,
// at least 1). It draws what ntcharts' sparkline draws, cell for cell,
// without its canvas: ntcharts allocates a w×h canvas of styled cells and
// renders each cell through lipgloss, which was a third of a frame's CPU
// for a dozen small charts redrawn every second.
func sparkLines(data []float64, w, h int, maxV float64) []string {
	if w <= 0 || h <= 0 {
		return nil
	}
	if maxV <= 0 {
		maxV = 1
		for _, v := range data {
			maxV = math.Max(maxV, v)
		}
	}
	if len(data) > w {
		data = data[len(data)-w:]
	}
	scale := float64(h) / maxV
	cells := make([]rune, w*h) // row-major, row 0 at the top
	x0 := w - len(data)
	for i, v := range data {
		v = math.Max(v, 0) * scale
		if !(v > 0) {
			continue
		}
		n := math.Floor(v)
		full := int(n)
		for y := 0; y < full && y < h; y++ {
			cells[(h-1-y)*w+x0+i] = '█'
		}
		if r := lowerBlockOf(v - n); r != 0 && full < h {
			cells[(h-1-full)*w+x0+i] = r
		}
	}
	lines := make([]string, h)
	var b strings.Builder
	for y := range h {
		b.Reset()
		for _, r := range cells[y*w : (y+1)*w] {
			if r == 0 {
				r = ' '
			}
			b.WriteRune(r)
		}
		lines[y] = b.String()
	}
	return lines
}

// lowerBlockOf is the block for a fraction of a cell: whole eighths, the
// remainder rounded to the nearest sixteenth, as ntcharts rounds it.
func lowerBlockOf(f float64) rune {
	switch {
	case f >= 1:
		return lowerBlocks[8]
	case f <= 0:
		return lowerBlocks[0]
	}
	e := int(f / .125)
	if f-float64(e)*.125 >= 0.0625 {
		e++
	}
	return lowerBlocks[e]
}
