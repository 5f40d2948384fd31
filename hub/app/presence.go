package app

import (
	"context"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

var _ hub.PresenceRecorder = (*App)(nil)

// Hold implements hub.PresenceRecorder: this instance takes (or renews)
// participant's presence row; the room records participant.joined if no
// instance held it before.
func (a *App) Hold(ctx context.Context, account, roomID, participant, client string) error {
	now := a.now()
	ch := store.PresenceChange{Instance: a.cfg.Instance, Participant: participant, Hold: true, At: now, ExpiresAt: now.Add(a.cfg.PresenceTTL)}
	return a.changePresence(ctx, account, roomID, ch, client, "")
}

// Release implements hub.PresenceRecorder: this instance lets go of
// participant; the room records participant.left (for reason) if no
// instance holds it any more.
func (a *App) Release(ctx context.Context, account, roomID, participant, reason string) error {
	ch := store.PresenceChange{Instance: a.cfg.Instance, Participant: participant, At: a.now()}
	return a.changePresence(ctx, account, roomID, ch, "", reason)
}

// changePresence commits ch with what it means for the room: joined when
// the first instance takes the participant, left when the last one lets
// go. The decision counts the other instances' rows, and the store checks
// that count when it writes the row, so two instances changing one
// participant at once decide again instead of both recording it.
func (a *App) changePresence(ctx context.Context, account, roomID string, ch store.PresenceChange, client, reason string) error {
	_, err := a.Commit(ctx, account, roomID, func(s room.State) (Plan, error) {
		rows, err := a.store.PresenceHolders(ctx, account, roomID, ch.Participant)
		if err != nil {
			return Plan{}, err
		}
		c := ch
		c.At = a.now()
		if ch.Hold {
			c.ExpiresAt = c.At.Add(ch.ExpiresAt.Sub(ch.At))
		}
		holders, mine := 0, false
		for _, r := range rows {
			if r.Instance != ch.Instance {
				holders++
				continue
			}
			// A reaper releases a row only if it has expired; one the
			// heartbeat extended meanwhile stays.
			mine = ch.OnlyIfExpired && r.ExpiresAt.After(c.At)
		}
		if ch.Hold || mine {
			holders++
		}
		c.Holders = holders
		var ds []room.Draft
		if holders > 0 {
			ds = room.Join(s, ch.Participant, room.RoleCustomer, client)
		} else {
			ds = room.Leave(s, ch.Participant, reason)
		}
		return Plan{Drafts: ds, Presence: &c}, nil
	})
	return err
}

// Heartbeat extends this instance's presence rows, and takes again those a
// reaper released while this instance could not reach the store.
func (a *App) Heartbeat(ctx context.Context, core *hub.Core) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.PresenceTTL/3)
	defer cancel()
	n, err := a.store.TouchPresence(ctx, a.cfg.Instance, a.now().Add(a.cfg.PresenceTTL))
	if err != nil {
		a.log.Warn().Err(err).Msg("presence heartbeat")
		return
	}
	if n < core.Held() {
		core.Rehold(ctx)
	}
}

// Reap releases presence rows whose instance stopped its heartbeat: their
// customers are recorded as left with reason "lost".
func (a *App) Reap(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.PresenceTTL/3)
	defer cancel()
	rows, err := a.store.ExpiredPresence(ctx, a.now(), 200)
	if err != nil {
		a.log.Warn().Err(err).Msg("presence: list expired")
		return
	}
	for _, r := range rows {
		ch := store.PresenceChange{Instance: r.Instance, Participant: r.Participant, At: a.now(), OnlyIfExpired: true}
		if err := a.changePresence(ctx, r.Account, r.Room, ch, "", "lost"); err != nil {
			a.log.Warn().Err(err).Str("room", r.Room).Msg("presence: release expired")
			continue
		}
		a.log.Info().Str("room", r.Room).Str("instance", r.Instance).Msg("presence: released the participant of an instance that stopped answering")
	}
}
