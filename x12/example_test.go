package x12_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/x12claims/claims/x12"
)

const example837 = `ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *240105*1200*^*00501*000000042*0*T*:~
GS*HC*SUBMITTER*RECEIVER*20240105*1200*42*X*005010X222A1~
ST*837*0001*005010X222A1~
CLM*PATIENT-ACCT-1*150.5***11:B:1*Y*A*Y*Y~
SV1*HC:99213:25*150.5*UN*1***1~
SE*4*0001~
GE*1*42~
IEA*1*000000042~
`

func ExampleReader() {
	rd := x12.NewReader(strings.NewReader(example837))
	for {
		seg, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		switch seg.ID() {
		case "ST":
			fmt.Println("set", rd.Set().ID, rd.Set().ControlNumber, "guide", x12.Guide(rd.Group(), rd.Set()))
		case "CLM":
			charge, err := x12.ParseAmount(seg.Element(2)) // no copy: valid until the next call
			if err != nil {
				fmt.Println("CLM02:", err)
				return
			}
			fmt.Println("claim", seg.String(1), "charge", charge, "place of service", seg.ComponentString(5, 1))
		case "SV1":
			fmt.Println("  procedure", seg.ComponentString(1, 2), "modifier", seg.ComponentString(1, 3))
		}
	}
	fmt.Println("interchange", rd.Interchange().ControlNumber, "read without errors")
	// Output:
	// set 837 0001 guide 005010X222A1
	// claim PATIENT-ACCT-1 charge 150.50 place of service 11
	//   procedure 99213 modifier 25
	// interchange 000000042 read without errors
}

func ExampleReader_collectAll() {
	bad := strings.Replace(example837, "SE*4*0001", "SE*5*0001", 1)
	rd := x12.NewReader(strings.NewReader(bad))
	rd.Mode = x12.CollectAll
	for {
		if _, err := rd.Next(); err != nil {
			break
		}
	}
	for _, err := range rd.Errors() {
		var count *x12.CountError
		if errors.As(err, &count) {
			fmt.Printf("%s declared %d, counted %d\n", count.Element, count.Declared, count.Counted)
		}
		fmt.Println(err)
	}
	// Output:
	// SE01 declared 5, counted 4
	// segment 6 (SE) element 1, byte 269: SE01 is 5 but the envelope holds 4 segments
}

func ExampleWriter() {
	w := x12.NewWriter(os.Stdout)
	w.Newline = true
	w.BeginInterchange(x12.InterchangeHeader{
		SenderQualifier: "ZZ", SenderID: "SUBMITTER", ReceiverQualifier: "ZZ", ReceiverID: "RECEIVER",
		Date: "240105", Time: "1200", ControlNumber: "42", Usage: "T",
	})
	w.BeginGroup(x12.GroupHeader{FunctionalID: "HC", SenderCode: "SUBMITTER", ReceiverCode: "RECEIVER",
		Date: "20240105", Time: "1200", ControlNumber: "42", Version: "005010X222A1"})
	w.BeginSet(x12.SetHeader{ID: "837", ControlNumber: "0001", Convention: "005010X222A1"})
	w.Begin("CLM")
	w.Element("PATIENT-ACCT-1")
	w.Element(x12.MustAmount("150.50").X12())
	w.Element("")
	w.Element("")
	w.Composite("11", "B", "1")
	w.Element("Y")
	w.End()
	w.Segment("NTE", "ADD", "SEE ATTACHED*") // refused: '*' is the element separator
	w.EndSet()
	w.EndGroup()
	w.EndInterchange()
	if err := w.Flush(); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *240105*1200*^*00501*000000042*0*T*:~
	// GS*HC*SUBMITTER*RECEIVER*20240105*1200*42*X*005010X222A1~
	// ST*837*0001*005010X222A1~
	// CLM*PATIENT-ACCT-1*150.5***11:B:1*Y~
	// error: segment 5 (NTE) element 2, byte 228: delimiter character in data: character 13 of the value is the element separator '*'
}

func ExampleOutline() {
	s, err := x12.Outline(strings.NewReader(strings.Replace(example837, "GE*1*42", "GE*1*43", 1)), "claims.837")
	s.WriteText(os.Stdout)
	if err != nil {
		fmt.Println(x12.FormatError("claims.837", err))
	}
	// Output:
	// claims.837: 1 interchange, 1 functional group, 1 transaction set, 8 segments, 1 error
	// interchange 1: ISA13 000000042, version 00501, usage T, from ZZ:SUBMITTER to ZZ:RECEIVER, 240105 1200, delimiters element * component : repetition ^ segment ~, 8 segments
	//   group 1: GS06 42, HC 005010X222A1, from SUBMITTER to RECEIVER, 20240105, 6 segments
	//     set 1: ST02 0001, 837 005010X222A1, 4 segments
	//       ST 1, CLM 1, SV1 1, SE 1
	// claims.837: segment 7 (GE) element 2, byte 282: GE02 "43" does not match GS06 "42"
}
