package web

import (
	"fmt"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

// chart is a horizontal stacked bar chart, laid out here and drawn as
// SVG by the template (no script, no inline style: CSS classes colour
// it).
type chart struct {
	Width, Height int
	LabelWidth    int
	Bars          []bar
	Legend        []legendItem
	Empty         bool
	Summary       string // the chart in words, for screen readers
}

type bar struct {
	Label    string
	Segments []segment
	Total    string
	TotalX   int
	TextY    int
	Patient  bool
}

type segment struct {
	X, Y, W, H int
	Class      string
	Title      string
}

type legendItem struct {
	Label string
	Class string
	X     int
}

// bucketLabels name the aging buckets, as pipeline.AgingBuckets.
var bucketLabels = [5]string{"0–30 days", "31–60", "61–90", "91–120", "over 120"}

// agingChart lays out the aging as one bar per payer (and one for the
// patients' share), split by age bucket.
func agingChart(a pipeline.Aging) chart {
	const (
		labelW, plotW, totalW = 190, 500, 110
		barH, gap, top        = 26, 14, 44
	)
	c := chart{Width: labelW + plotW + totalW, LabelWidth: labelW}
	var most x12.Amount
	for _, r := range a.Rows {
		most = max(most, r.Total)
	}
	x := labelW
	for i, l := range bucketLabels {
		c.Legend = append(c.Legend, legendItem{Label: l, Class: fmt.Sprintf("b%d", i), X: x})
		x += 100
	}
	if most <= 0 {
		c.Empty = true
		c.Height = top + barH
		c.Summary = "Nothing is outstanding."
		return c
	}
	y := top
	for _, r := range a.Rows {
		b := bar{Label: r.PayerName, TextY: y + barH/2 + 5, Total: money(r.Total)}
		if r.PayerID == "" {
			b.Label, b.Patient = "Patients (their share)", true
		} else if b.Label == "" {
			b.Label = r.PayerID
		}
		x := labelW
		for i, amt := range r.Buckets {
			if amt <= 0 {
				continue
			}
			w := int(int64(plotW) * int64(amt) / int64(most))
			w = max(w, 2)
			b.Segments = append(b.Segments, segment{X: x, Y: y, W: w, H: barH, Class: fmt.Sprintf("b%d", i),
				Title: fmt.Sprintf("%s, %s: %s", b.Label, bucketLabels[i], money(amt))})
			x += w
		}
		b.TotalX = x + 8
		c.Bars = append(c.Bars, b)
		y += barH + gap
	}
	c.Height = y + 4
	c.Summary = fmt.Sprintf("Outstanding by payer and age: %d bars, %s in all.", len(c.Bars), money(a.Total.Total))
	return c
}
