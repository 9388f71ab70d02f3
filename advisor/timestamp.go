package advisor

import (
	"encoding/json"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// Timestamp is a time that JSON writes as every machine output of
// headroom writes times: RFC 3339, UTC, with milliseconds.
type Timestamp struct{ time.Time }

// MarshalJSON writes the time in sampler.TimeFormat (null when unset).
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(sampler.TimeFormat))
}
