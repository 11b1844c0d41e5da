package x835_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

const exampleFile = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *251003*1200*^*00501*000000001*0*P*:~" +
	"GS*HP*PAYER*CLINIC*20251003*1200*1*X*005010X221A1~ST*835*0001~" +
	"BPR*I*90*C*CHK************20251003~TRN*1*CHK1001*1999999999~" +
	"N1*PR*EXAMPLE PLAN~N3*1 PLAN WAY~N4*SPRINGFIELD*IL*62701~PER*BL*EDI*TE*8005550100~" +
	"N1*PE*ACME CLINIC*XX*1234567893~LX*1~" +
	"CLP*C1-1*1*100*80*20*12*ICN1~NM1*QC*1*PATIENT*TEST****MI*M1~SVC*HC:99213*100*80~CAS*PR*2*20~" +
	"CLP*C2-1*1*50*20**12*ICN2~NM1*QC*1*PATIENT*OTHER****MI*M2~SVC*HC:36415*50*20~CAS*CO*45*25~" +
	"PLB*1234567893*20251231*WO:ICN0*10~SE*19*0001~GE*1*1~IEA*1*000000001~"

// Stream a remittance claim by claim and check every balancing level.
func ExampleParser() {
	p := x835.NewParser(x12.NewReader(strings.NewReader(exampleFile)))
	rem, err := p.NextRemittance()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("payment", rem.Payment.Amount, "trace", rem.Payment.Trace)
	for {
		c, err := p.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("claim", c.PatientControlNumber, "paid", c.Paid)
		for _, e := range c.Balance(rem.SetControl) {
			fmt.Println(" ", e)
		}
	}
	t := p.Totals()
	fmt.Println("PLB", t.PLBTotal, "balanced:", t.Balance(rem.SetControl) == nil)
	// Output:
	// payment 90.00 trace CHK1001
	// claim C1-1 paid 80.00
	// claim C2-1 paid 20.00
	//   835 set 0001 claim 2 (PCN C2-1) line at segment 16: line level out of balance: stated 20.00, computed 25.00 (difference -5.00)
	//   835 set 0001 claim 2 (PCN C2-1) at segment 14: claim level out of balance: stated 20.00, computed 25.00 (difference -5.00)
	// PLB 10.00 balanced: true
}
