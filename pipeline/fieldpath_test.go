package pipeline

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// fieldPathEncounter returns a fictitious professional claim: a patient
// who is the subscriber, two lines, two diagnoses.
func fieldPathEncounter() *Encounter {
	return &Encounter{
		ID: "ENC-1",
		Claim: x837.Claim{
			Frequency:      "1",
			TotalCharge:    x12.MustAmount("160.00"),
			PlaceOfService: "11",
			Diagnoses:      []string{"E11.9", "I10"},
			BillingProvider: x837.Provider{
				NPI:          "1234567893",
				Organization: "Example Clinic",
				Taxonomy:     "207Q00000X",
				TIN:          "123456789",
				Address:      &x837.Address{Line1: "1 Main St", City: "Town", State: "CO", ZIP: "805211234"},
			},
			Subscriber: x837.Subscriber{
				Person: x837.Person{
					LastName:  "Doe",
					FirstName: "Jan",
					BirthDate: x12.Date{Year: 1970, Month: 1, Day: 31},
					Gender:    "F",
					Address:   &x837.Address{Line1: "2 Elm St", City: "Town", State: "CO", ZIP: "80521"},
				},
				MemberID: "M123",
			},
			Payer: x837.Payer{Name: "Example Payer", ID: "12345", FilingIndicator: "CI"},
			Lines: []x837.Line{
				{
					Procedure:         "99213",
					Modifiers:         []string{"25"},
					Charge:            x12.MustAmount("135.00"),
					Units:             "1",
					ServiceDate:       x12.Date{Year: 2026, Month: 9, Day: 2},
					DiagnosisPointers: []int{1, 2},
				},
				{
					Procedure:         "36415",
					Charge:            x12.MustAmount("25.00"),
					Units:             "1",
					ServiceDate:       x12.Date{Year: 2026, Month: 9, Day: 2},
					DiagnosisPointers: []int{1},
				},
			},
		},
	}
}

func TestSetField(t *testing.T) {
	tests := []struct {
		path, value string
		change      func(e *Encounter) // what the set must do to fieldPathEncounter()
		changed     []string           // ChangedFields(before, after)
	}{
		{"subscriber.member_id", "M999", func(e *Encounter) { e.Subscriber.MemberID = "M999" }, []string{"subscriber.member_id"}},
		{"subscriber.first_name", "", func(e *Encounter) { e.Subscriber.FirstName = "" }, []string{"subscriber.first_name"}},
		{"subscriber.address.zip", "805211234", func(e *Encounter) { e.Subscriber.Address.ZIP = "805211234" }, []string{"subscriber.address.zip"}},
		{"payer.id", "99999", func(e *Encounter) { e.Payer.ID = "99999" }, []string{"payer.id"}},
		{"kind", "institutional", func(e *Encounter) { e.Kind = x837.Institutional }, []string{"kind"}},
		{"lines[0].procedure", "99214", func(e *Encounter) { e.Lines[0].Procedure = "99214" }, []string{"lines[0].procedure"}},
		{"lines[1].charge", "125.50", func(e *Encounter) { e.Lines[1].Charge = x12.Amount(12550) }, []string{"lines[1].charge"}},
		{"total_charge", "85", func(e *Encounter) { e.TotalCharge = x12.Amount(8500) }, []string{"total_charge"}},
		{"lines[0].service_date", "2026-09-03", func(e *Encounter) {
			e.Lines[0].ServiceDate = x12.Date{Year: 2026, Month: 9, Day: 3}
		}, []string{"lines[0].service_date"}},
		{"onset_date", "2026-08-30", func(e *Encounter) {
			e.OnsetDate = x12.Date{Year: 2026, Month: 8, Day: 30}
		}, []string{"onset_date"}},
		{"subscriber.birth_date", "", func(e *Encounter) { e.Subscriber.BirthDate = x12.Date{} }, []string{"subscriber.birth_date"}},
		{"lines[1].modifiers", "25, 59", func(e *Encounter) { e.Lines[1].Modifiers = []string{"25", "59"} }, []string{"lines[1].modifiers"}},
		{"lines[1].modifiers", `["25"]`, func(e *Encounter) { e.Lines[1].Modifiers = []string{"25"} }, []string{"lines[1].modifiers"}},
		{"lines[0].modifiers", "", func(e *Encounter) { e.Lines[0].Modifiers = nil }, []string{"lines[0].modifiers"}},
		{"lines[0].modifiers[0]", "59", func(e *Encounter) { e.Lines[0].Modifiers[0] = "59" }, []string{"lines[0].modifiers[0]"}},
		{"lines[0].modifiers[1]", "59", func(e *Encounter) {
			e.Lines[0].Modifiers = append(e.Lines[0].Modifiers, "59")
		}, []string{"lines[0].modifiers[1]"}},
		{"lines[0].diagnosis_pointers", "2, 1", func(e *Encounter) { e.Lines[0].DiagnosisPointers = []int{2, 1} }, []string{"lines[0].diagnosis_pointers[0]", "lines[0].diagnosis_pointers[1]"}},
		{"lines[0].diagnosis_pointers", "[1]", func(e *Encounter) { e.Lines[0].DiagnosisPointers = []int{1} }, []string{"lines[0].diagnosis_pointers[1]"}},
		{"lines[1].diagnosis_pointers[0]", "2", func(e *Encounter) { e.Lines[1].DiagnosisPointers[0] = 2 }, []string{"lines[1].diagnosis_pointers[0]"}},
		{"diagnoses", "E11.9, I10, Z79.4", func(e *Encounter) {
			e.Diagnoses = []string{"E11.9", "I10", "Z79.4"}
		}, []string{"diagnoses[2]"}},
		{"diagnoses[2]", "Z79.4", func(e *Encounter) { e.Diagnoses = append(e.Diagnoses, "Z79.4") }, []string{"diagnoses[2]"}},
		{"patient.last_name", "Doe", func(e *Encounter) {
			e.Patient = &x837.Patient{Person: x837.Person{LastName: "Doe"}}
		}, []string{"patient"}},
		{"rendering_provider.npi", "1497758544", func(e *Encounter) {
			e.RenderingProvider = &x837.Provider{NPI: "1497758544"}
		}, []string{"rendering_provider"}},
		{"institutional.admission_date", "2026-09-01", func(e *Encounter) {
			e.Institutional = &x837.InstitutionalInfo{AdmissionDate: x12.Date{Year: 2026, Month: 9, Day: 1}}
		}, []string{"institutional"}},
		{"lines[2].procedure", "81002", func(e *Encounter) {
			e.Lines = append(e.Lines, x837.Line{Procedure: "81002"})
		}, []string{"lines[2]"}},
	}
	for _, tt := range tests {
		t.Run(tt.path+"="+tt.value, func(t *testing.T) {
			got := fieldPathEncounter()
			if err := SetField(got, tt.path, tt.value); err != nil {
				t.Fatalf("SetField(%q, %q) = %v, want nil", tt.path, tt.value, err)
			}
			want := fieldPathEncounter()
			tt.change(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("SetField(%q, %q):\ngot  %+v\nwant %+v", tt.path, tt.value, got.Claim, want.Claim)
			}
			if changed := ChangedFields(fieldPathEncounter(), got); !slices.Equal(changed, tt.changed) {
				t.Errorf("ChangedFields after SetField(%q, %q) = %q, want %q", tt.path, tt.value, changed, tt.changed)
			}
		})
	}
}

func TestSetFieldErrors(t *testing.T) {
	subscriberKeys := "address, birth_date, first_name, gender, group_name, group_number, insurance_type, last_name, member_id, middle_name, responsibility, suffix"
	tests := []struct {
		path, value string
		want        string // the whole message, or its start when it ends with "..."
		is          error  // a cause the error must wrap, when not nil
	}{
		// Unknown fields, whether or not they are present in the JSON.
		{"member_idd", "M1", `member_idd: unknown field "member_idd"; an encounter has: ...`, nil},
		{"subscriber.member_idd", "M1", `subscriber.member_idd: unknown field "member_idd"; subscriber has: ` + subscriberKeys, nil},
		{"lines[0].chrage", "1", `lines[0].chrage: unknown field "chrage"; lines[0] has: ...`, nil},
		{"patient.nickname", "Jo", `patient.nickname: unknown field "nickname"; patient has: address, birth_date, ...`, nil},
		{"rendering_provider.npii", "1", `rendering_provider.npii: unknown field "npii"; rendering_provider has: address, contact_name, ...`, nil},
		{"Subscriber.member_id", "M1", `Subscriber.member_id: unknown field "Subscriber"; an encounter has: ...`, nil},

		// Indices.
		{"lines[3].procedure", "1", "lines[3].procedure: index 3 out of range: lines has 2 elements", nil},
		{"diagnoses[5]", "Z00.00", "diagnoses[5]: index 5 out of range: diagnoses has 2 elements", nil},
		{"lines[0].modifiers[2]", "59", "lines[0].modifiers[2]: index 2 out of range: lines[0].modifiers has 1 element", nil},
		{"lines[1].modifiers[1]", "59", "lines[1].modifiers[1]: index 1 out of range: lines[1].modifiers has 0 elements", nil},
		{"subscriber[0]", "1", "subscriber[0]: subscriber is not a list", nil},
		{"total_charge[0]", "1", "total_charge[0]: total_charge is not a list", nil},
		{"lines[0][0]", "1", "lines[0][0]: lines[0] is not a list", nil},

		// Malformed paths.
		{"", "1", `"": empty path`, nil},
		{"lines[x].charge", "1", `lines[x].charge: index "x" is not a non-negative decimal integer`, nil},
		{"lines[-1].charge", "1", "lines[-1].charge: negative index -1: indices start at 0", nil},
		{"lines[].charge", "1", "lines[].charge: empty index []", nil},
		{"lines[0", "1", `lines[0: unclosed [ in "lines[0"`, nil},
		{"lines]", "1", `lines]: ] without [ in "lines]"`, nil},
		{"lines[0]x.charge", "1", `lines[0]x.charge: unexpected text after ] in "lines[0]x"`, nil},
		{"[0]", "1", `[0]: missing field name before [ in "[0]"`, nil},
		{"a..b", "1", "a..b: empty field name: the path starts or ends with a dot, or has two in a row", nil},
		{"subscriber.", "1", "subscriber.: empty field name: ...", nil},
		{"lines[99999999999999999999999]", "1", "lines[99999999999999999999999]: index 99999999999999999999999 is too large", nil},
		{"subscriber member_id", "1", `"subscriber member_id": unknown field ...`, nil},

		// Values of the wrong type; the message does not repeat the value.
		{"lines[1].charge", "12.345.6", "lines[1].charge: want a decimal amount such as 125.00 (at most two decimal places): invalid amount", x12.ErrBadAmount},
		{"lines[1].charge", "12.345", "lines[1].charge: want a decimal amount ...", x12.ErrBadAmount},
		{"total_charge", "", "total_charge: want a decimal amount ...", x12.ErrBadAmount},
		{"lines[0].service_date", "2026-13-45", "lines[0].service_date: want a calendar date as YYYY-MM-DD: invalid date", x12.ErrBadDate},
		{"subscriber.birth_date", "1970/01/31", "subscriber.birth_date: want a calendar date ...", x12.ErrBadDate},
		{"lines[0].diagnosis_pointers[0]", "one", "lines[0].diagnosis_pointers[0]: want a whole number in range", nil},
		{"lines[0].diagnosis_pointers[0]", "1.5", "lines[0].diagnosis_pointers[0]: want a whole number in range", nil},
		{"lines[0].diagnosis_pointers", "1, x", "lines[0].diagnosis_pointers: item 2: want a whole number in range", nil},
		{"lines[0].diagnosis_pointers", `["1"]`, "lines[0].diagnosis_pointers: want a list of whole numbers in range", nil},
		{"lines[0].modifiers", "25,,59", "lines[0].modifiers: item 2 of the comma-separated list is empty", nil},
		{"lines[0].modifiers", `["25"`, "lines[0].modifiers: the value starts with [ but is not a valid JSON list", nil},
		{"lines[0].modifiers", `["25"] x`, "lines[0].modifiers: the value starts with [ but is not a valid JSON list", nil},
		{"lines[0].modifiers", `[25]`, "lines[0].modifiers: want a list of strings", nil},
		{"subscriber.last_name", "Do\xffe", "subscriber.last_name: value is not valid UTF-8", nil},

		// Paths that stop at an object or a list of objects, or go past a
		// single value.
		{"subscriber", "Doe", "subscriber: subscriber is an object; set one of its fields, e.g. subscriber.last_name", nil},
		{"patient", "Doe", "patient: patient is an object; set one of its fields, e.g. patient.last_name", nil},
		{"billing_provider.address", "x", "billing_provider.address: billing_provider.address is an object; set one of its fields, e.g. billing_provider.address.line1", nil},
		{"lines", "99213", "lines: lines is a list of objects; set one of its fields, e.g. lines[0].procedure", nil},
		{"lines[0]", "99213", "lines[0]: lines[0] is an object; set one of its fields, e.g. lines[0].procedure", nil},
		{"lines[2]", "99213", "lines[2]: lines[2] is an object; set one of its fields, e.g. lines[2].charge", nil},
		{"subscriber.member_id.x", "1", `subscriber.member_id.x: subscriber.member_id is not an object, so it has no field "x"`, nil},
		{"diagnoses.x", "1", `diagnoses.x: diagnoses is not an object, so it has no field "x"`, nil},
		{"lines[0].charge.cents", "1", `lines[0].charge.cents: lines[0].charge is not an object, so it has no field "cents"`, nil},

		// The encounter ID.
		{"id", "ENC-2", "id: the encounter id cannot be changed", nil},
		{"id[0]", "E", "id[0]: the encounter id cannot be changed", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path+"="+tt.value, func(t *testing.T) {
			enc := fieldPathEncounter()
			err := SetField(enc, tt.path, tt.value)
			checkFieldError(t, err, tt.path, tt.want)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("SetField(%q, %q) = %v, want an error wrapping %v", tt.path, tt.value, err, tt.is)
			}
			if len(tt.value) > 2 && strings.Contains(strings.TrimPrefix(err.Error(), tt.path), tt.value) {
				t.Errorf("SetField(%q, %q) = %v: the message repeats the value", tt.path, tt.value, err)
			}
			if !reflect.DeepEqual(enc, fieldPathEncounter()) {
				t.Errorf("SetField(%q, %q) changed the encounter after an error", tt.path, tt.value)
			}
		})
	}
}

func TestSetFieldEncounterOutsideTheFormat(t *testing.T) {
	// A date that is not on the calendar encodes but does not decode:
	// SetField cannot change anything, and does not quote that date.
	bad := func() *Encounter {
		e := fieldPathEncounter()
		e.Subscriber.BirthDate = x12.Date{Year: 1970, Month: 2, Day: 30}
		return e
	}
	enc := bad()
	err := SetField(enc, "subscriber.member_id", "M1")
	checkFieldError(t, err, "subscriber.member_id", "subscriber.member_id: the encounter does not decode after the change: ...")
	if strings.Contains(err.Error(), "1970") {
		t.Errorf("error %q repeats a value", err)
	}
	if !reflect.DeepEqual(enc, bad()) {
		t.Error("SetField changed the encounter after an error")
	}
}

func TestSetFieldNilEncounter(t *testing.T) {
	checkFieldError(t, SetField(nil, "subscriber.member_id", "M1"), "subscriber.member_id", "subscriber.member_id: no encounter")
}

// checkFieldError checks that err is a *FieldError for path whose message
// is want, or starts with want's text before "..." when want ends so.
func checkFieldError(t *testing.T, err error, path, want string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T), want a *FieldError", err, err)
	}
	if fe.Path != path {
		t.Errorf("FieldError.Path = %q, want %q", fe.Path, path)
	}
	got := err.Error()
	if prefix, ok := strings.CutSuffix(want, "..."); ok {
		if !strings.HasPrefix(got, prefix) {
			t.Errorf("error = %q, want it to start with %q", got, prefix)
		}
	} else if got != want {
		t.Errorf("error = %q\nwant    %q", got, want)
	}
}

func TestChangedFields(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *Encounter)
		want   []string
	}{
		{"identical", func(*Encounter) {}, nil},
		{"member id", func(e *Encounter) { e.Subscriber.MemberID = "M999" }, []string{"subscriber.member_id"}},
		{"encounter id", func(e *Encounter) { e.ID = "ENC-2" }, []string{"id"}},
		{"charge of lines[1]", func(e *Encounter) { e.Lines[1].Charge = x12.MustAmount("30.00") }, []string{"lines[1].charge"}},
		{"line added", func(e *Encounter) {
			e.Lines = append(e.Lines, x837.Line{Procedure: "81002", Charge: x12.MustAmount("10.00"), Units: "1"})
		}, []string{"lines[2]"}},
		{"line removed", func(e *Encounter) { e.Lines = e.Lines[:1] }, []string{"lines[1]"}},
		{"patient added", func(e *Encounter) {
			e.Patient = &x837.Patient{Person: x837.Person{LastName: "Doe", FirstName: "Kim"}, Relationship: "19"}
		}, []string{"patient"}},
		{"optional leaf added", func(e *Encounter) { e.Subscriber.GroupNumber = "G1" }, []string{"subscriber.group_number"}},
		{"date cleared", func(e *Encounter) { e.Subscriber.BirthDate = x12.Date{} }, []string{"subscriber.birth_date"}},
		{"modifier changed", func(e *Encounter) { e.Lines[0].Modifiers = []string{"59"} }, []string{"lines[0].modifiers[0]"}},
		{"modifier added", func(e *Encounter) { e.Lines[0].Modifiers = []string{"25", "59"} }, []string{"lines[0].modifiers[1]"}},
		{"modifiers set on a line without", func(e *Encounter) { e.Lines[1].Modifiers = []string{"59"} }, []string{"lines[1].modifiers"}},
		{"modifiers removed", func(e *Encounter) { e.Lines[0].Modifiers = nil }, []string{"lines[0].modifiers"}},
		{"empty modifiers are none", func(e *Encounter) { e.Lines[1].Modifiers = []string{} }, nil},
		{"diagnoses removed", func(e *Encounter) { e.Diagnoses = nil }, []string{"diagnoses"}},
		{"several, sorted", func(e *Encounter) {
			e.Subscriber.MemberID = "M999"
			e.Diagnoses[1] = "I11.9"
			e.Lines[0].Procedure = "99214"
			e.Frequency = "7"
		}, []string{"diagnoses[1]", "frequency", "lines[0].procedure", "subscriber.member_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := fieldPathEncounter()
			tt.change(b)
			got := ChangedFields(fieldPathEncounter(), b)
			if !slices.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("ChangedFields = %#v, want %#v", got, tt.want)
			}
			if back := ChangedFields(b, fieldPathEncounter()); !slices.Equal(back, tt.want) {
				t.Errorf("ChangedFields reversed = %q, want %q", back, tt.want)
			}
		})
	}
}

func TestChangedFieldsIndexOrder(t *testing.T) {
	a := fieldPathEncounter()
	for range 10 {
		a.Lines = append(a.Lines, a.Lines[1])
	}
	b := fieldPathEncounter()
	b.Lines = slices.Clone(a.Lines)
	b.Lines[10].Charge = x12.MustAmount("1.00")
	b.Lines[2].Charge = x12.MustAmount("1.00")
	want := []string{"lines[2].charge", "lines[10].charge"}
	if got := ChangedFields(a, b); !slices.Equal(got, want) {
		t.Errorf("ChangedFields = %q, want %q", got, want)
	}
}

func TestChangedFieldsNil(t *testing.T) {
	if got := ChangedFields(nil, nil); got != nil {
		t.Errorf("ChangedFields(nil, nil) = %q, want nil", got)
	}
	if got := ChangedFields(nil, &Encounter{}); got != nil {
		t.Errorf("ChangedFields(nil, empty) = %q, want nil", got)
	}
	if got := ChangedFields(&Encounter{Claim: x837.Claim{Diagnoses: []string{}}}, &Encounter{}); got != nil {
		t.Errorf("ChangedFields(empty diagnoses, null diagnoses) = %q, want nil", got)
	}
	got := ChangedFields(nil, fieldPathEncounter())
	if !slices.Contains(got, "subscriber.member_id") || !slices.Contains(got, "lines") {
		t.Errorf("ChangedFields(nil, enc) = %q, want subscriber.member_id and lines among them", got)
	}
}

func FuzzSetField(f *testing.F) {
	for _, s := range [][2]string{
		{"subscriber.member_id", "M1"},
		{"lines[1].charge", "125.50"},
		{"lines[0].modifiers", "25, 59"},
		{"lines[0].modifiers", `["25"]`},
		{"lines[0].diagnosis_pointers", "[1, 2]"},
		{"lines[2].procedure", "99213"},
		{"patient.address.zip", "80521"},
		{"institutional.reason_for_visit", "R10.9"},
		{"lines[0].service_date", "2026-02-29"},
		{"lines[x", ""},
		{"id", "x"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, path, value string) {
		enc := fieldPathEncounter()
		err := SetField(enc, path, value)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Path != path {
				t.Fatalf("SetField(%q, %q) = %v (%T), want a *FieldError for the path", path, value, err, err)
			}
			if !reflect.DeepEqual(enc, fieldPathEncounter()) {
				t.Fatalf("SetField(%q, %q) = %v and changed the encounter", path, value, err)
			}
			return
		}
		if enc.ID != "ENC-1" {
			t.Fatalf("SetField(%q, %q) changed the encounter ID", path, value)
		}
		// A second set of the same value changes nothing more.
		again := *enc
		if err := SetField(&again, path, value); err != nil {
			t.Fatalf("SetField(%q, %q) succeeded once, then failed: %v", path, value, err)
		}
		if changed := ChangedFields(enc, &again); changed != nil {
			t.Fatalf("SetField(%q, %q) twice changed %q the second time", path, value, changed)
		}
	})
}
