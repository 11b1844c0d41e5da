package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// inputOf returns the <input> of a correction form field and the
// paragraph right after it.
func inputOf(t *testing.T, page, path string) (input, after string) {
	t.Helper()
	re := regexp.MustCompile(`(<input id="(f\d+)" name="field:` + regexp.QuoteMeta(path) + `"[^>]*>)\s*(<p [^>]*>.*?</p>)?`)
	m := re.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no input for %s on the form:\n%s", path, page)
	}
	return m[1], m[3]
}

func attr(input, name string) string {
	m := regexp.MustCompile(` ` + name + `="([^"]*)"`).FindStringSubmatch(input)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// TestCorrectionForm: the form shows the claim's fields; a bad value
// comes back (422) with the problem beside its field and nothing saved;
// a form of an older version is a conflict (409); a good one saves a new
// version and goes to the claim.
func TestCorrectionForm(t *testing.T) {
	e := newEnv(t)
	c := e.signedIn(billerUser)
	id := e.Rejected.ID
	form := fmt.Sprintf("/claims/%d/correct", id)
	version := func() int {
		t.Helper()
		f, err := e.P.CorrectionForm(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return f.Version
	}

	r := c.get(form)
	wantStatus(t, r, http.StatusOK)
	pt := e.Patients[0]
	for path, want := range map[string]string{"subscriber.member_id": pt.Member, "subscriber.last_name": pt.Last,
		"subscriber.first_name": pt.First, "subscriber.birth_date": pt.Birth.String(), "payer.id": "PAYER01",
		"billing_provider.npi": "1234567893", "diagnoses": "E11.9, I10", "lines[0].charge": "100.00", "lines[1].charge": "20.50",
		"total_charge": "120.50"} {
		in, _ := inputOf(t, r.Body, path)
		if got := attr(in, "value"); got != want {
			t.Errorf("field %s: value %q, want %q", path, got, want)
		}
		if label := regexp.MustCompile(`<label for="` + attr(in, "id") + `">`); !label.MatchString(r.Body) {
			t.Errorf("field %s has no label", path)
		}
	}
	if !strings.Contains(r.Body, `name="base" value="1"`) {
		t.Error("the form does not carry the version it edits")
	}
	// The 277CA's reason is marked on the member ID before any save.
	if in, p := inputOf(t, r.Body, "subscriber.member_id"); attr(in, "aria-invalid") != "true" || !strings.Contains(p, `class="err"`) {
		t.Errorf("the rejected member ID is not marked: %s %s", in, p)
	}

	bad := []struct {
		name, path, value string
	}{
		{"impossible birth date", "subscriber.birth_date", "1976-13-40"},
		{"empty member ID", "subscriber.member_id", ""},
		{"bad NPI", "billing_provider.npi", "1234567890"},
		{"bad charge", "lines[0].charge", "12.345"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			before := e.snapshot()
			c.get(form)
			r := c.submit(form, url.Values{"base": {"1"}, "field:" + tc.path: {tc.value}, "note": {"trying"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			in, p := inputOf(t, r.Body, tc.path)
			if attr(in, "aria-invalid") != "true" || attr(in, "aria-describedby") != attr(in, "id")+"-err" {
				t.Errorf("the field is not marked invalid: %s", in)
			}
			if !strings.Contains(p, `class="err" id="`+attr(in, "id")+`-err"`) || len(p) < 40 {
				t.Errorf("no problem beside the field: %q", p)
			}
			if attr(in, "value") != tc.value {
				t.Errorf("the value typed is not kept: %q, want %q", attr(in, "value"), tc.value)
			}
			if !strings.Contains(r.Body, "Nothing was saved") {
				t.Error("the page does not say that nothing was saved")
			}
			if !strings.Contains(r.Body, `name="note" value="trying"`) {
				t.Error("the note typed is not kept")
			}
			// Only that field is marked (the member ID keeps its 277CA
			// mark only before a save).
			if n := strings.Count(r.Body, `aria-invalid="true"`); n != 1 {
				t.Errorf("%d fields marked invalid, want 1", n)
			}
			if v := version(); v != 1 {
				t.Errorf("the claim is at version %d after a refused correction", v)
			}
			if after := e.snapshot(); after != before {
				t.Errorf("a refused correction changed something:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}

	// A form of another version.
	for _, base := range []string{"2", "0", "x", ""} {
		c.get(form)
		r := c.submit(form, url.Values{"base": {base}, "field:subscriber.member_id": {"QX7781299"}})
		want := http.StatusConflict
		if base != "2" {
			want = http.StatusBadRequest // no version at all
		}
		wantStatus(t, r, want)
		if v := version(); v != 1 {
			t.Fatalf("base %q: the claim is at version %d", base, v)
		}
	}

	// A good correction.
	c.get(form)
	r = c.submit(form, url.Values{"base": {"1"}, "field:subscriber.member_id": {" QX7781299 "}, "note": {"member ID from the card"}})
	wantRedirect(t, r, fmt.Sprintf("/claims/%d", id))
	page := c.follow(r)
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, fmt.Sprintf("C%d-2", id)) || !strings.Contains(page.Body, "flash good") {
		t.Errorf("the claim page does not say version 2 was queued:\n%.2000s", page.Body)
	}
	got := e.H.Claim(id)
	if got.Version != 2 || got.Data.Subscriber.MemberID != "QX7781299" {
		t.Errorf("after the correction: version %d, member ID %q", got.Version, got.Data.Subscriber.MemberID)
	}
	// The form of version 1, posted again: a conflict, values kept.
	r = c.submit(form, url.Values{"base": {"1"}, "field:subscriber.member_id": {"QX0000000"}})
	wantStatus(t, r, http.StatusConflict)
	if in, _ := inputOf(t, r.Body, "subscriber.member_id"); attr(in, "value") != "QX0000000" ||
		!strings.Contains(r.Body, "while you were editing version 1") {
		t.Errorf("the conflict page does not keep the values and say why: %s", in)
	}
	if got := e.H.Claim(id); got.Version != 2 || got.Data.Subscriber.MemberID != "QX7781299" {
		t.Errorf("the stale form changed the claim: version %d, member ID %q", got.Version, got.Data.Subscriber.MemberID)
	}
	// Nothing changed: no new version.
	c.get(form)
	r = c.submit(form, url.Values{"base": {"2"}, "note": {"nothing"}})
	if r.StatusCode == http.StatusSeeOther {
		t.Errorf("a correction that changes nothing was saved")
	}
	if got := e.H.Claim(id); got.Version != 2 {
		t.Errorf("version %d after an empty correction", got.Version)
	}
	// An unknown claim.
	wantStatus(t, c.get("/claims/999999/correct"), http.StatusNotFound)
	wantStatus(t, c.submit("/claims/999999/correct", url.Values{"base": {"1"}}), http.StatusNotFound)
}
