package jobs

import (
	"context"
	"errors"
	"time"
)

// maxSleepSeconds bounds a sleep job so a typo cannot park a worker slot for days.
const maxSleepSeconds = 3600

// SleepOutput is the sleep job's output.
type SleepOutput struct {
	Slept float64 `json:"slept"`
}

// runSleep waits, but gives up as soon as ctx ends so a shutting-down worker is not held.
func runSleep(ctx context.Context, raw []byte) (SleepOutput, error) {
	var p struct {
		Seconds *float64 `json:"seconds"`
	}
	if err := decodePayload(raw, &p); err != nil {
		return SleepOutput{}, err
	}
	if p.Seconds == nil || *p.Seconds < 0 || *p.Seconds > maxSleepSeconds {
		return SleepOutput{}, errors.New("payload.seconds is required: a number from 0 to 3600")
	}
	timer := time.NewTimer(time.Duration(*p.Seconds * float64(time.Second)))
	defer timer.Stop()
	select {
	case <-timer.C:
		return SleepOutput{Slept: *p.Seconds}, nil
	case <-ctx.Done():
		return SleepOutput{}, ctx.Err()
	}
}
