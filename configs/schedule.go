package configs

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // CRON_TZ zones resolve on machines without a zoneinfo database

	"github.com/robfig/cron/v3"
)

// scheduleParser reads five-field specifications and descriptors such as
// "@hourly" and "@every 15m".
var scheduleParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a schedule as the configuration writes it: five
// cron fields or a descriptor, optionally after "CRON_TZ=Zone " (or
// "TZ=Zone "), Zone being an IANA time zone such as America/Denver. The
// errors say which part is wrong.
func ParseSchedule(spec string) (cron.Schedule, error) {
	rest := spec
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		after, ok := strings.CutPrefix(spec, prefix)
		if !ok {
			continue
		}
		name := strings.TrimSuffix(prefix, "=")
		zone, r, _ := strings.Cut(after, " ")
		if zone == "" {
			return nil, fmt.Errorf("%q: %s needs a time zone such as America/Denver", spec, prefix)
		}
		if _, err := time.LoadLocation(zone); err != nil {
			return nil, fmt.Errorf("%q: unknown time zone %q in %s (use an IANA name such as America/Denver or UTC)", spec, zone, name)
		}
		rest = strings.TrimSpace(r)
		if rest == "" {
			return nil, fmt.Errorf("%q: no schedule after %s%s", spec, prefix, zone)
		}
		break
	}
	if strings.HasPrefix(rest, "CRON_TZ=") || strings.HasPrefix(rest, "TZ=") {
		return nil, fmt.Errorf("%q: give the time zone once", spec)
	}
	if _, err := scheduleParser.Parse(rest); err != nil {
		return nil, fmt.Errorf("%q is not a cron schedule (five fields: minute hour day-of-month month day-of-week, or @hourly, @every 15m): %v", spec, err)
	}
	// The whole specification, as the daemon's scheduler parses it.
	sched, err := scheduleParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("%q: %v", spec, err)
	}
	// A valid expression may name no real time (February 30): it would
	// never fire.
	if sched.Next(time.Now()).IsZero() {
		return nil, fmt.Errorf("%q never fires: no date matches it", spec)
	}
	return sched, nil
}
