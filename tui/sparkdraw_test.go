package tui

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/NimbleMarkets/ntcharts/sparkline"
	"github.com/charmbracelet/lipgloss"
)

// ntchartsSpark is the sparkline sparkLines replaces, drawn by ntcharts.
func ntchartsSpark(data []float64, w, h int, maxV float64) []string {
	opts := []sparkline.Option{sparkline.WithStyle(lipgloss.NewStyle())}
	if maxV > 0 {
		opts = append(opts, sparkline.WithMaxValue(maxV), sparkline.WithNoAutoMaxValue())
	}
	sl := sparkline.New(w, h, opts...)
	for i := len(data); i < w; i++ {
		sl.Push(0)
	}
	sl.PushAll(data)
	sl.Draw()
	return strings.Split(sl.View(), "\n")
}

// sparkLines draws what ntcharts drew, cell for cell: fixed and automatic
// scales, data shorter and longer than the chart, values past the top,
// negative and fractional ones at every eighth.
func TestSparkLinesMatchNtcharts(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for n := 0; n < 300; n++ {
		w, h := 1+rng.Intn(40), 1+rng.Intn(5)
		data := make([]float64, rng.Intn(60))
		for i := range data {
			data[i] = rng.Float64()*130 - 10
			if rng.Intn(5) == 0 {
				data[i] = float64(rng.Intn(17)) * 100 / 16 // on the eighth and sixteenth boundaries
			}
		}
		maxV := []float64{0, 100, 7.5}[rng.Intn(3)]
		want := ntchartsSpark(append([]float64(nil), data...), w, h, maxV)
		got := sparkLines(data, w, h, maxV)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("w=%d h=%d max=%v data=%v\n got:\n%s\nwant:\n%s", w, h, maxV, data, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// A small non-zero value gets the lowest block on a self-scaled chart too:
// 10 ms beside a 2 s peak is drawn, not left blank as if there were no data.
func TestSparkDrawsSmallValuesOnAutoScale(t *testing.T) {
	lines := spark([]float64{10, 10, 2000, 10, 0}, 5, 2, 0, lipgloss.NewStyle())
	bottom := []rune(lines[1])
	if bottom[0] == ' ' || bottom[1] == ' ' || bottom[3] == ' ' || bottom[4] != ' ' {
		t.Errorf("bottom row %q: small values blank, or a zero drawn", lines[1])
	}
}
