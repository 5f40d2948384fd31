package store

import (
	"context"
	"time"
)

// PresenceChange is one hub instance taking or releasing a participant's
// presence in a room, as part of a Change.
type PresenceChange struct {
	Instance    string
	Participant string
	// Hold is true when the instance now holds the participant (it has an
	// open connection of it in the room: its row is written) and false when
	// it released it (its last such connection closed: its row is deleted).
	// Holding a row already held extends it (its ConnectedAt stays);
	// releasing a row that does not exist changes nothing.
	Hold bool
	// At is when.
	At time.Time
	// ExpiresAt is, for Hold, when the row expires unless the instance's
	// heartbeat (TouchPresence) extends it.
	ExpiresAt time.Time
	// OnlyIfExpired makes a release delete the row only if it has expired
	// at At. A reaper sets it: between ExpiredPresence listing a row and the
	// reaper releasing it, the instance's heartbeat may have extended the
	// row, and the reaper must not undo that.
	OnlyIfExpired bool
	// Holders is how many instances hold the participant once the row is
	// written, as the decision that goes with it assumed (a join when the
	// first instance takes the participant, a leave when the last one lets
	// go). If the store finds another number, nothing of the change is
	// written and the error is KindConflict with code
	// tandem.CodePresenceConflict: decide again.
	Holders int
}

// PresenceRow is the presence of a participant in a room held by one hub
// instance.
type PresenceRow struct {
	Account     string    `json:"account"`
	Room        string    `json:"room"`
	Participant string    `json:"participant"`
	Instance    string    `json:"instance"`
	ConnectedAt time.Time `json:"connected_at"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// Presence keeps who is connected to a room through which hub instance, so
// that several instances agree on whether a participant is connected: it is
// while at least one instance holds it. An instance holds its rows while it
// lives, extending them with a heartbeat; the rows of an instance that died
// without releasing them expire, and whoever finds them (ExpiredPresence)
// releases them, which records the participants leaving. Rows are taken and
// released through Commit (Change.Presence), with the room's events.
type Presence interface {
	// PresenceHolders lists the rows of participant in the room, whoever
	// holds them, by instance. KindNotFound if the room is not in account.
	PresenceHolders(ctx context.Context, account, roomID, participant string) ([]PresenceRow, error)
	// TouchPresence extends every row of instance to expiresAt: the
	// instance's heartbeat. It returns how many rows it touched, which is
	// fewer than the instance holds if some were reaped.
	TouchPresence(ctx context.Context, instance string, expiresAt time.Time) (int, error)
	// ExpiredPresence lists up to limit (at most tandem.MaxExpiredPresence)
	// rows of any account that have expired at now (expires_at <= now),
	// soonest expired first: the rows of instances that died.
	ExpiredPresence(ctx context.Context, now time.Time, limit int) ([]PresenceRow, error)
}
