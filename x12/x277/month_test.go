package x277

import "time"

func timeMonth(m int) time.Month { return time.Month(m) }
