package web

import (
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

func row(id, name string, buckets ...string) pipeline.AgingRow {
	r := pipeline.AgingRow{PayerID: id, PayerName: name}
	for i, b := range buckets {
		r.Buckets[i] = x12.MustAmount(b)
		r.Total += r.Buckets[i]
	}
	return r
}

func aging(rows ...pipeline.AgingRow) pipeline.Aging {
	a := pipeline.Aging{Rows: rows, Total: pipeline.AgingRow{PayerName: "Total"}}
	for _, r := range rows {
		for i := range r.Buckets {
			a.Total.Buckets[i] += r.Buckets[i]
		}
		a.Total.Total += r.Total
	}
	return a
}

func TestAgingChart(t *testing.T) {
	const labelW, plotW = 190, 500
	c := agingChart(aging(
		row("P1", "Big Payer", "600.00", "0", "400.00"), // the largest: the whole plot width
		row("P2", "", "250.00", "250.00"),               // half of it; no name: labeled by its ID
		row("P3", "Tiny Payer", "0.01"),                 // still visible
		row("", "Patient responsibility", "0", "0", "0", "0", "125.00"),
	))
	if c.Empty || len(c.Bars) != 4 {
		t.Fatalf("chart: empty %v, %d bars", c.Empty, len(c.Bars))
	}
	if c.Width != labelW+plotW+110 || c.LabelWidth != labelW {
		t.Errorf("width %d, label width %d", c.Width, c.LabelWidth)
	}
	type seg struct {
		x, w  int
		class string
	}
	want := []struct {
		label   string
		patient bool
		segs    []seg
		total   string
	}{
		{"Big Payer", false, []seg{{190, 300, "b0"}, {490, 200, "b2"}}, "1,000.00"},
		{"P2", false, []seg{{190, 125, "b0"}, {315, 125, "b1"}}, "500.00"},
		{"Tiny Payer", false, []seg{{190, 2, "b0"}}, "0.01"},
		{"Patients (their share)", true, []seg{{190, 62, "b4"}}, "125.00"},
	}
	y := -1
	for i, w := range want {
		b := c.Bars[i]
		if b.Label != w.label || b.Patient != w.patient || b.Total != w.total {
			t.Errorf("bar %d: label %q patient %v total %q, want %q %v %q", i, b.Label, b.Patient, b.Total, w.label, w.patient, w.total)
		}
		if len(b.Segments) != len(w.segs) {
			t.Errorf("bar %d (%s): %d segments, want %d: %+v", i, b.Label, len(b.Segments), len(w.segs), b.Segments)
			continue
		}
		end := labelW
		for j, s := range b.Segments {
			if s.X != w.segs[j].x || s.W != w.segs[j].w || s.Class != w.segs[j].class {
				t.Errorf("bar %d segment %d: x %d w %d %s, want x %d w %d %s", i, j, s.X, s.W, s.Class, w.segs[j].x, w.segs[j].w, w.segs[j].class)
			}
			if s.X != end {
				t.Errorf("bar %d segment %d starts at %d, not where the last ended (%d)", i, j, s.X, end)
			}
			if !strings.Contains(s.Title, b.Label) || !strings.Contains(s.Title, bucketLabels[s.Class[1]-'0']) {
				t.Errorf("bar %d segment %d title %q", i, j, s.Title)
			}
			end = s.X + s.W
			if s.Y <= y {
				t.Errorf("bar %d is not below the one before", i)
			}
		}
		if end > labelW+plotW {
			t.Errorf("bar %d ends at %d, past the plot (%d)", i, end, labelW+plotW)
		}
		if b.TotalX != end+8 {
			t.Errorf("bar %d: total at %d, want just after the bar (%d)", i, b.TotalX, end+8)
		}
		y = b.Segments[0].Y
	}
	// Proportional: the half-size row's bar is half as long.
	length := func(b bar) int {
		n := 0
		for _, s := range b.Segments {
			n += s.W
		}
		return n
	}
	if l0, l1 := length(c.Bars[0]), length(c.Bars[1]); l0 != plotW || l1 != plotW/2 {
		t.Errorf("bar lengths %d and %d, want %d and %d", l0, l1, plotW, plotW/2)
	}
	if len(c.Legend) != 5 || c.Legend[0].Label != "0–30 days" || c.Legend[4].Class != "b4" {
		t.Errorf("legend %+v", c.Legend)
	}
	if c.Summary != "Outstanding by payer and age: 4 bars, 1,625.01 in all." {
		t.Errorf("summary %q", c.Summary)
	}
	if c.Height <= y {
		t.Errorf("height %d does not hold the last bar at %d", c.Height, y)
	}

	for name, a := range map[string]pipeline.Aging{
		"nothing":      aging(),
		"all zero":     aging(row("P1", "Payer")),
		"only credits": aging(row("P1", "Payer", "-50.00")),
	} {
		c := agingChart(a)
		if !c.Empty || len(c.Bars) != 0 || c.Summary != "Nothing is outstanding." || c.Height <= 0 || len(c.Legend) != 5 {
			t.Errorf("%s: empty %v, %d bars, summary %q, height %d", name, c.Empty, len(c.Bars), c.Summary, c.Height)
		}
	}
	// A payer in credit next to one that owes: no negative segment.
	c = agingChart(aging(row("P1", "Owed", "100.00"), row("P2", "Credit", "-30.00")))
	if len(c.Bars) != 2 || len(c.Bars[1].Segments) != 0 || c.Bars[1].Total != "-30.00" {
		t.Errorf("credit bar: %+v", c.Bars)
	}
}
