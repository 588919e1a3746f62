package evaluate

import (
	"fmt"
	"html"
	"sort"
	"strings"
)

// maxHeatLabels bounds the heat map: with 150 intents a full matrix is
// unreadable, and the labels involved in the most confusions are the ones a
// reader needs.
const maxHeatLabels = 12

// heatLabels picks the labels to draw: those in the most off-diagonal
// confusions (as actual or predicted), ties and the no-error case broken by
// support and then name, shown in name order.
func heatLabels(m *Metrics) []string {
	errs := map[string]int{}
	for _, a := range m.Labels {
		for _, p := range m.Labels {
			if a != p {
				n := m.Matrix[a][p]
				errs[a] += n
				errs[p] += n
			}
		}
	}
	ls := append([]string(nil), m.Labels...)
	sort.SliceStable(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		if errs[a] != errs[b] {
			return errs[a] > errs[b]
		}
		return m.PerClass[a].Support > m.PerClass[b].Support
	})
	if len(ls) > maxHeatLabels {
		ls = ls[:maxHeatLabels]
	}
	sort.Strings(ls)
	return ls
}

// ConfusionSVG draws a heat map of the confusion matrix restricted to the
// most confused labels. Each cell's shade is its share of the actual label's
// examples, so a row reads as "where this label's examples went"; the count
// is printed in the cell. Hand-written SVG: no plotting library, no fonts to
// ship, and byte-identical output for identical metrics.
func ConfusionSVG(m *Metrics) string {
	labels := heatLabels(m)
	const (
		cellSize = 36
		labelW   = 170
		top      = 150
		legendH  = 40
	)
	n := len(labels)
	width := labelW + n*cellSize + 90 // room for the last rotated column label
	height := top + n*cellSize + legendH
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<title>Confusion matrix, %d most confused labels (rows: actual, columns: predicted)</title>`+"\n", n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="16" font-size="13">rows: actual · columns: predicted · shade: share of the row</text>`+"\n", 8)
	for j, l := range labels {
		x := labelW + j*cellSize + cellSize/2
		fmt.Fprintf(&b, `<text transform="translate(%d,%d) rotate(-50)" text-anchor="start">%s</text>`+"\n", x, top-6, esc(l))
	}
	for i, a := range labels {
		y := top + i*cellSize
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelW-6, y+cellSize/2+4, esc(a))
		support := m.PerClass[a].Support
		for j, p := range labels {
			count := m.Matrix[a][p]
			share := 0.0
			if support > 0 {
				share = float64(count) / float64(support)
			}
			x := labelW + j*cellSize
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#dddddd"><title>%s → %s: %d</title></rect>`+"\n",
				x, y, cellSize, cellSize, shade(share, a == p), esc(a), esc(p), count)
			if count > 0 {
				color := "#000000"
				if share > 0.55 {
					color = "#ffffff"
				}
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s">%d</text>`+"\n", x+cellSize/2, y+cellSize/2+4, color, count)
			}
		}
	}
	fmt.Fprintf(&b, `<text x="8" y="%d">%d examples, %d labels in all; accuracy %.4f</text>`+"\n", top+n*cellSize+24, m.Examples, len(m.Labels), m.Accuracy)
	b.WriteString("</svg>\n")
	return b.String()
}

// shade maps a share in [0, 1] to a colour: blue for the diagonal (correct),
// red for confusions, white for zero.
func shade(share float64, diagonal bool) string {
	share = min(max(share, 0), 1)
	fade := func(full int) int { return 255 - int(float64(255-full)*share+0.5) }
	if diagonal {
		return fmt.Sprintf("#%02x%02x%02x", fade(33), fade(102), fade(172))
	}
	return fmt.Sprintf("#%02x%02x%02x", fade(178), fade(24), fade(43))
}

func esc(s string) string { return html.EscapeString(s) }
