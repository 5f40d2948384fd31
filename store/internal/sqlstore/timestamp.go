package sqlstore

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// timeLayout writes every instant in UTC with exactly six fractional
// digits, so that as text it is fixed-width and sorts in time order.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// timestamp is a time as the store writes and reads it: UTC, truncated to
// the microsecond. A nil *timestamp is SQL NULL.
type timestamp time.Time

// ts returns t as the store keeps it.
func ts(t time.Time) timestamp {
	return timestamp(t.UTC().Truncate(time.Microsecond))
}

// tsp is ts for an optional time.
func tsp(t *time.Time) *timestamp {
	if t == nil {
		return nil
	}
	v := ts(*t)
	return &v
}

// utc returns t truncated to the store's precision, in UTC: what reading a
// written time gives back.
func utc(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// Time returns t as a time.Time.
func (t timestamp) Time() time.Time { return time.Time(t) }

// ptr returns the time t points at, or nil.
func (t *timestamp) ptr() *time.Time {
	if t == nil {
		return nil
	}
	v := time.Time(*t)
	return &v
}

// Value implements driver.Valuer.
func (t timestamp) Value() (driver.Value, error) {
	return time.Time(t).UTC().Format(timeLayout), nil
}

// Scan implements sql.Scanner: PostgreSQL gives a time.Time, SQLite the
// text Value wrote.
func (t *timestamp) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*t = ts(v)
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	default:
		return fmt.Errorf("scan timestamp: unexpected %T", src)
	}
}

func (t *timestamp) parse(s string) error {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("scan timestamp: %w", err)
	}
	*t = ts(v)
	return nil
}
