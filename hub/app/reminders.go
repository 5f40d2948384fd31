package app

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

const (
	// reminderPage is how many rooms a scan reads at a time.
	reminderPage = 200
	// noticeEvery is the least time between two "new in your room"
	// notices to one customer.
	noticeEvery = 30 * time.Minute
)

// RemindDue walks the rooms whose customer is away — invited, or gone
// again — and sends the reminders (invited only) and notices that are due
// now and outside their account's quiet hours. It returns how many
// messages it sent.
func (a *App) RemindDue(ctx context.Context) int {
	log := a.log.With().Str("component", "reminders").Logger()
	accounts := map[string]*tandem.Account{} // this scan's cache; nil for an account that failed to load
	sent := 0
	for _, status := range []room.Status{room.StatusInvited, room.StatusLeft} {
		after := ""
		for {
			rooms, err := a.store.RoomsInStatus(ctx, status, after, reminderPage)
			if err != nil {
				if ctx.Err() == nil {
					log.Error().Err(err).Str("status", string(status)).Msg("list rooms")
				}
				return sent
			}
			for _, s := range rooms {
				acct, seen := accounts[s.Account]
				if !seen {
					if got, err := a.store.Account(ctx, s.Account); err == nil {
						acct = &got
					} else {
						log.Error().Err(err).Str("account", s.Account).Msg("read account settings")
					}
					accounts[s.Account] = acct
				}
				if acct != nil && a.remindRoom(ctx, log, s, acct.Settings) {
					sent++
				}
			}
			if len(rooms) < reminderPage {
				break
			}
			after = rooms[len(rooms)-1].ID
		}
	}
	return sent
}

// remindRoom sends room s the reminder or notice due now, if any and if
// the account is not in its quiet hours, and reports whether it sent one.
func (a *App) remindRoom(ctx context.Context, log zerolog.Logger, s room.State, set tandem.AccountSettings) bool {
	now := a.now()
	policy := remindPolicy(set)
	if !room.ReminderDue(s, policy, now) && !room.NoticeDue(s, noticeEvery, now) || set.Quiet(now) {
		return false
	}
	sent := false
	_, err := a.Commit(ctx, s.Account, s.ID, func(s room.State) (Plan, error) {
		p := a.remindPlan(s, policy)
		sent = len(p.Drafts) > 0
		return p, nil
	})
	if err != nil {
		log.Error().Err(err).Str("room", s.ID).Msg("send a reminder or notice")
		return false
	}
	return sent
}

// remindPolicy is the domain's view of an account's reminder settings.
func remindPolicy(s tandem.AccountSettings) room.RemindPolicy {
	return room.RemindPolicy{After: time.Duration(s.RemindAfterHours) * time.Hour, Max: s.RemindMax}
}

// remindPlan sends the customer of s a reminder, or else a notice of new
// items, if one is due, on a new link by the invitation's channel: the old
// link is revoked.
func (a *App) remindPlan(s room.State, p room.RemindPolicy) Plan {
	now := a.now()
	kind := tandem.ReminderMessage
	switch {
	case room.ReminderDue(s, p, now):
	case room.NoticeDue(s, noticeEvery, now):
		kind = tandem.NoticeMessage
	default:
		return Plan{}
	}
	link, m := a.newInvitation(s, s.Invite.Channel, s.Customer, s.Agent, kind)
	c := room.RemindCustomer{Policy: p, Now: now, Link: link.ID, ExpiresAt: link.ExpiresAt}
	ds := room.Remind(s, c)
	if kind == tandem.NoticeMessage {
		ds = room.Notice(s, noticeEvery, c)
	}
	if len(ds) == 0 {
		return Plan{}
	}
	return Plan{Drafts: ds, Links: []store.Link{link}, Messages: []store.Message{m}, Revoke: []string{s.Invite.Link}}
}

// noticeIfItems tells the customer of a room at once, rather than at the
// next scan, that an agent added something while they were away: it runs
// after a commit whose events evs include an agent's item.
func (a *App) noticeIfItems(account, roomID string, evs []room.Event) {
	items := false
	for _, e := range evs {
		items = items || room.IsItem(e.Type) && e.Actor.Kind == room.ActorAgent
	}
	if !items {
		return
	}
	// If the app is stopping, the next scan, on any instance, sends it.
	a.later(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, sendTimeout)
		defer cancel()
		acct, err := a.store.Account(ctx, account)
		if err != nil {
			return // the next scan tries again
		}
		s, err := a.store.Room(ctx, account, roomID)
		if err != nil {
			return
		}
		a.remindRoom(ctx, a.log.With().Str("component", "notices").Logger(), s, acct.Settings)
	})
}
