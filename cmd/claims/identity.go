package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/x12claims/claims/configs"
	"github.com/x12claims/claims/pipeline"
)

// buildIdentity returns the partner an offline build writes its file as:
// a configured clearinghouse's identity (with --config) overridden by the
// identity flags that were given, or the flags alone. A missing sender,
// receiver or submitter is an error naming the flag and the configuration
// key; the demo practice's identity is never used. changed reports
// whether a flag was given on the command line.
func buildIdentity(changed func(flag string) bool, configFile string, o buildOptions) (*pipeline.Partner, error) {
	pt := &pipeline.Partner{SenderQualifier: "ZZ", ReceiverQualifier: "ZZ", Usage: "T", AckRequested: "0"}
	if configFile != "" {
		cfg, err := configs.Load(configFile)
		if err != nil {
			return nil, &exitError{code: exitFailure, err: err}
		}
		ch, err := pickClearinghouse(cfg.Clearinghouses, o.clearinghouse)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", configFile, err)
		}
		pt = partner(ch, nil)
	} else if o.clearinghouse != "" {
		return nil, errors.New("--clearinghouse needs --config FILE")
	}
	f := &o.partner
	for _, v := range []struct {
		flag string
		dst  *string
		val  string
	}{
		{"sender-qualifier", &pt.SenderQualifier, f.SenderQualifier},
		{"sender-id", &pt.SenderID, f.SenderID},
		{"receiver-qualifier", &pt.ReceiverQualifier, f.ReceiverQualifier},
		{"receiver-id", &pt.ReceiverID, f.ReceiverID},
		{"receiver-name", &pt.ReceiverName, f.ReceiverName},
		{"submitter-name", &pt.SubmitterName, f.SubmitterName},
		{"submitter-contact", &pt.SubmitterContact, f.SubmitterContact},
		{"submitter-phone", &pt.SubmitterPhone, f.SubmitterPhone},
		{"submitter-email", &pt.SubmitterEmail, f.SubmitterEmail},
		{"usage", &pt.Usage, f.Usage},
	} {
		if changed(v.flag) {
			*v.dst = v.val
		}
	}
	if changed("sender-id") || changed("receiver-id") {
		// The GS codes follow the ISA IDs the flags set.
		if changed("sender-id") {
			pt.AppSender = ""
		}
		if changed("receiver-id") {
			pt.AppReceiver = ""
		}
	}
	var missing []string
	need := func(v, flag, key string) {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, "--"+flag+" (clearinghouses[]."+key+")")
		}
	}
	need(pt.SenderID, "sender-id", "isa.sender_id")
	need(pt.ReceiverID, "receiver-id", "isa.receiver_id")
	need(pt.SubmitterName, "submitter-name", "submitter.name")
	need(pt.SubmitterPhone+pt.SubmitterEmail, "submitter-phone or --submitter-email", "submitter.phone or submitter.email")
	need(pt.ReceiverName, "receiver-name", "receiver_name")
	if len(missing) > 0 {
		return nil, fmt.Errorf("build needs the file's identity (give --config FILE or the flags): missing %s", strings.Join(missing, ", "))
	}
	pt.Name, pt.Transport, pt.Payers = "offline", nil, nil
	return pt, nil
}

// pickClearinghouse returns the clearinghouse named name, or the only
// one when name is empty.
func pickClearinghouse(chs []configs.Clearinghouse, name string) (configs.Clearinghouse, error) {
	var names []string
	for _, ch := range chs {
		if ch.Name == name {
			return ch, nil
		}
		names = append(names, ch.Name)
	}
	switch {
	case len(chs) == 0:
		return configs.Clearinghouse{}, errors.New("clearinghouses: none configured; give the identity flags instead")
	case name == "" && len(chs) == 1:
		return chs[0], nil
	case name == "":
		return configs.Clearinghouse{}, fmt.Errorf("clearinghouses: %d configured (%s); name one with --clearinghouse", len(chs), strings.Join(names, ", "))
	}
	return configs.Clearinghouse{}, fmt.Errorf("--clearinghouse %q: no such clearinghouse (configured: %s)", name, strings.Join(names, ", "))
}

// printIntake lists what intake held back and the warnings of what it
// took, each reason labelled with its severity.
func printIntake(w io.Writer, in *pipeline.IntakeReport) {
	for _, h := range in.HeldBack {
		fmt.Fprintf(w, "held %s:\n", safeText(h.EncounterID))
		printReasons(w, h.Reasons)
	}
	for _, h := range in.Warned {
		fmt.Fprintf(w, "accepted with warnings %s (it goes out):\n", safeText(h.EncounterID))
		printReasons(w, h.Reasons)
	}
	if more := in.WarnedClaims - len(in.Warned); more > 0 {
		fmt.Fprintf(w, "and %d more claim(s) accepted with warnings (claims claim show CLAIM lists them)\n", more)
	}
}

// printReasons prints reasons as "  - error: TEXT (FIELD LOCATION) [CODE]",
// the errors first.
func printReasons(w io.Writer, reasons []pipeline.Reason) {
	sorted := slices.Clone(reasons)
	slices.SortStableFunc(sorted, func(a, b pipeline.Reason) int {
		return cmp.Compare(severityRank(a), severityRank(b))
	})
	for _, r := range sorted {
		fmt.Fprintf(w, "  - %s%s", severityLabel(r), safeText(r.Text))
		if r.Field != "" || r.Location != "" {
			fmt.Fprintf(w, " (%s)", safeText(strings.TrimSpace(r.Field+" "+r.Location)))
		}
		if r.Code != "" {
			fmt.Fprintf(w, " [%s]", safeText(r.Code))
		}
		fmt.Fprintln(w)
	}
}

// severityLabel is "error: " or "warning: " for a scrubber finding, and
// "" for a reason without a severity.
func severityLabel(r pipeline.Reason) string {
	if r.Severity == "" {
		return ""
	}
	return r.Severity + ": "
}

// severityRank orders errors (and reasons without a severity) before
// warnings.
func severityRank(r pipeline.Reason) int {
	if r.Severity == "warning" {
		return 1
	}
	return 0
}
