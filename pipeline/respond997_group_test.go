package pipeline_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// groupOnly997 turns a File997 into a 997 with no AK2 loop and AK9 status
// st (a group-level verdict only), fixing SE01.
func groupOnly997(t *testing.T, data []byte, st string) []byte {
	t.Helper()
	s := string(data)
	s = regexp.MustCompile(`AK2\*[^~]*~(AK[34]\*[^~]*~)*AK5\*[^~]*~`).ReplaceAllString(s, "")
	s = regexp.MustCompile(`AK9\*[A-Z]\*(\d+)\*(\d+)\*\d+`).ReplaceAllString(s, "AK9*"+st+"*${1}*${2}*0")
	// recount ST..SE
	i, j := strings.Index(s, "ST*997"), strings.Index(s, "~SE*")+1
	n := strings.Count(s[i:j], "~") + 1
	s = regexp.MustCompile(`~SE\*\d+\*`).ReplaceAllString(s, "~SE*"+strconv.Itoa(n)+"*")
	return []byte(s)
}

// Test997GroupVerdictWithoutAK2: a 997 with no AK2 loop gives every set
// of the group the group's verdict: a rejection (AK9 R, or M, W, X for
// security) rejects the claims, with a work item; an acceptance (A, E,
// P) accepts them.
func Test997GroupVerdictWithoutAK2(t *testing.T) {
	for _, tc := range []struct {
		group string
		want  pipeline.ClaimState
	}{
		{"R", pipeline.StateAckRejected}, {"X", pipeline.StateAckRejected}, {"M", pipeline.StateAckRejected},
		{"W", pipeline.StateAckRejected}, {"A", pipeline.StateAckAccepted}, {"E", pipeline.StateAckAccepted},
		{"P", pipeline.StateAckAccepted},
	} {
		t.Run(tc.group, func(t *testing.T) {
			h := newHarness(t, nil)
			c := h.Submit(pipelinetest.Encounter("E1", "100.00"))["E1"]
			rep := h.Deliver("g.997", groupOnly997(t, h.File997(c, "A"), tc.group))
			if got := h.Claim(c.ID).State; got != tc.want || rep.Processed != 1 {
				t.Errorf("AK9*%s with no AK2: claim %s, %d file(s) processed; want %s", tc.group, got, rep.Processed, tc.want)
			}
			items := h.Work(pipeline.Source999)
			if rejected := tc.want == pipeline.StateAckRejected; rejected != (len(items) == 1) {
				t.Errorf("AK9*%s: %d open 999 item(s)", tc.group, len(items))
			}
		})
	}
}
