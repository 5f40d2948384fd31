package hub

import (
	"context"
	"time"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// reminderPage is how many invited rooms a scan reads at a time.
const reminderPage = 200

// reminderLoop reminds customers who have not opened their link, as their
// accounts' settings say, every ReminderInterval until the hub stops.
// Every instance runs it; the room's lock and the domain's check of the
// fresh state make a second instance's reminder to the same room a no-op.
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

// remindDue walks the invited rooms and sends the reminders that are due
// now and outside their account's quiet hours. It returns how many it
// sent.
func (h *Hub) remindDue(ctx context.Context) int {
	log := h.log.With().Str("component", "reminders").Logger()
	accounts := map[string]*store.Account{} // this scan's cache; nil for an account that failed to load
	sent, after := 0, ""
	for {
		rooms, err := h.store.RoomsInStatus(ctx, room.StatusInvited, after, reminderPage)
		if err != nil {
			if ctx.Err() == nil {
				log.Error().Err(err).Msg("list invited rooms")
			}
			return sent
		}
		now := h.now()
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
			if a == nil {
				continue
			}
			policy := remindPolicy(a.Settings)
			if !room.ReminderDue(s, policy, now) || quiet(a.Settings, now) {
				continue
			}
			reminded := false
			_, err := h.commit(ctx, s.Account, s.ID, func(s room.State) (plan, error) {
				p, err := h.remindPlan(s, policy)
				reminded = len(p.drafts) > 0
				return p, err
			})
			if err != nil {
				log.Error().Err(err).Str("room", s.ID).Msg("send a reminder")
				continue
			}
			if reminded {
				sent++
			}
		}
		if len(rooms) < reminderPage {
			return sent
		}
		after = rooms[len(rooms)-1].ID
	}
}

// remindPolicy is the domain's view of an account's reminder settings.
func remindPolicy(s store.AccountSettings) room.RemindPolicy {
	return room.RemindPolicy{After: time.Duration(s.RemindAfterHours) * time.Hour, Max: s.RemindMax}
}

// remindPlan sends a reminder to the customer of s on a new link, by the
// invitation's channel and to its address, if one is still due: the old
// link is revoked.
func (h *Hub) remindPlan(s room.State, p room.RemindPolicy) (plan, error) {
	if !room.ReminderDue(s, p, h.now()) {
		return plan{}, nil
	}
	link, m := h.newInvitation(s, s.Invite.Channel, s.Customer, s.Agent, true)
	ds := room.Remind(s, room.RemindCustomer{Policy: p, Now: h.now(), Link: link.ID, ExpiresAt: link.ExpiresAt})
	if len(ds) == 0 {
		return plan{}, nil
	}
	return plan{drafts: ds, links: []store.Link{link}, messages: []store.Message{m}, revoke: []string{s.Invite.Link}}, nil
}
