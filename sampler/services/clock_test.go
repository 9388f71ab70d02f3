package services

import "time"

// stepClock is a test clock that moves only when told to.
type stepClock struct{ t time.Time }

func newStepClock() *stepClock { return &stepClock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)} }

func (c *stepClock) Now() time.Time          { return c.t }
func (c *stepClock) Advance(d time.Duration) { c.t = c.t.Add(d) }
