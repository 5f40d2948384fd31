package hub

import (
	"context"
	"time"

	"github.com/rs/zerolog"

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

// reminderLoop sends the reminders and notices that are due, every
// ReminderInterval until the hub stops. Every instance runs it; the room's
// lock and the domain's check of the fresh state make a second instance's
// message to the same room a no-op.
func (h *Hub) reminderLoop() {
	defer h.bg.Done()
	t := time.NewTicker(h.cfg.ReminderInterval)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
			h.remindDue(h.ctx)
		}
	}
}

// remindDue walks the rooms whose customer is away — invited, or gone
// again — and sends the reminders (invited only) and notices that are due
// now and outside their account's quiet hours. It returns how many
// messages it sent.
func (h *Hub) remindDue(ctx context.Context) int {
	log := h.log.With().Str("component", "reminders").Logger()
	accounts := map[string]*store.Account{} // this scan's cache; nil for an account that failed to load
	sent := 0
	for _, status := range []room.Status{room.StatusInvited, room.StatusLeft} {
		after := ""
		for {
			rooms, err := h.store.RoomsInStatus(ctx, status, after, reminderPage)
			if err != nil {
				if ctx.Err() == nil {
					log.Error().Err(err).Str("status", string(status)).Msg("list rooms")
				}
				return sent
			}
			for _, s := range rooms {
				a, seen := accounts[s.Account]
				if !seen {
					if acct, err := h.store.Account(ctx, s.Account); err == nil {
						a = &acct
					} else {
						log.Error().Err(err).Str("account", s.Account).Msg("read account settings")
					}
					accounts[s.Account] = a
				}
				if a != nil && h.remindRoom(ctx, log, s, a.Settings) {
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
func (h *Hub) remindRoom(ctx context.Context, log zerolog.Logger, s room.State, set store.AccountSettings) bool {
	now := h.now()
	policy := remindPolicy(set)
	if !room.ReminderDue(s, policy, now) && !room.NoticeDue(s, noticeEvery, now) || quiet(set, now) {
		return false
	}
	sent := false
	_, err := h.commit(ctx, s.Account, s.ID, func(s room.State) (plan, error) {
		p := h.remindPlan(s, policy)
		sent = len(p.drafts) > 0
		return p, nil
	})
	if err != nil {
		log.Error().Err(err).Str("room", s.ID).Msg("send a reminder or notice")
		return false
	}
	return sent
}

// remindPolicy is the domain's view of an account's reminder settings.
func remindPolicy(s store.AccountSettings) room.RemindPolicy {
	return room.RemindPolicy{After: time.Duration(s.RemindAfterHours) * time.Hour, Max: s.RemindMax}
}

// remindPlan sends the customer of s a reminder, or else a notice of new
// items, if one is due, on a new link by the invitation's channel: the old
// link is revoked.
func (h *Hub) remindPlan(s room.State, p room.RemindPolicy) plan {
	now := h.now()
	kind := reminderMessage
	switch {
	case room.ReminderDue(s, p, now):
	case room.NoticeDue(s, noticeEvery, now):
		kind = noticeMessage
	default:
		return plan{}
	}
	link, m := h.newInvitation(s, s.Invite.Channel, s.Customer, s.Agent, kind)
	c := room.RemindCustomer{Policy: p, Now: now, Link: link.ID, ExpiresAt: link.ExpiresAt}
	ds := room.Remind(s, c)
	if kind == noticeMessage {
		ds = room.Notice(s, noticeEvery, c)
	}
	if len(ds) == 0 {
		return plan{}
	}
	return plan{drafts: ds, links: []store.Link{link}, messages: []store.Message{m}, revoke: []string{s.Invite.Link}}
}

// noticeIfItems tells the customer of a room at once, rather than at the
// next scan, that an agent added something while they were away: it runs
// after a commit whose events evs include an agent's item.
func (h *Hub) noticeIfItems(account, roomID string, evs []room.Event) {
	items := false
	for _, e := range evs {
		items = items || room.IsItem(e.Type) && e.Actor.Kind == room.ActorAgent
	}
	if !items {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return // the next scan, on any instance, sends it
	}
	h.bg.Add(1)
	go func() {
		defer h.bg.Done()
		ctx, cancel := context.WithTimeout(h.ctx, sendTimeout)
		defer cancel()
		a, err := h.store.Account(ctx, account)
		if err != nil {
			return // the next scan tries again
		}
		s, err := h.store.Room(ctx, account, roomID)
		if err != nil {
			return
		}
		h.remindRoom(ctx, h.log.With().Str("component", "notices").Logger(), s, a.Settings)
	}()
}
