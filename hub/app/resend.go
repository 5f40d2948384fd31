package app

import (
	"context"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// ResendLink sends the customer of a room their link again, on a new link,
// by the channel and to the contact in use; the old link stops working.
// It is refused while the customer is in the room (room.Resend): the old
// link's end would end their access.
func (a *App) ResendLink(ctx context.Context, c Caller, roomID string) (room.State, error) {
	in, err := a.inviter(ctx, c)
	if err != nil {
		return room.State{}, err
	}
	return a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		link, m := a.newInvitation(s, s.Channel, s.Customer, in.agent, tandem.InviteMessage)
		ds, err := room.Resend(s, room.NewLink{Agent: in.agent, Link: link.ID, ExpiresAt: link.ExpiresAt})
		if err != nil {
			return Plan{}, err
		}
		return Plan{Drafts: ds, Links: []store.Link{link}, Messages: []store.Message{m}, Revoke: []string{s.Invite.Link}}, nil
	})
}

// CopyLink makes a new link to a room and gives its address to the agent,
// who passes it on themselves (reads it out on a phone call); nothing is
// sent. The old link stops working. Refused, like ResendLink, while the
// customer is in the room.
func (a *App) CopyLink(ctx context.Context, c Caller, roomID string) (room.State, string, error) {
	agent := c.Actor()
	var url string
	s, err := a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		to := ""
		if s.Invite != nil {
			to = s.Invite.To
		}
		link, token := a.newLink(s, s.Channel, to)
		ds, err := room.CopyLink(s, room.NewLink{Agent: agent, Link: link.ID, ExpiresAt: link.ExpiresAt})
		if err != nil {
			return Plan{}, err
		}
		url = a.publicURL("/r/"+token, nil)
		return Plan{Drafts: ds, Links: []store.Link{link}, Revoke: []string{s.Invite.Link}}, nil
	})
	if err != nil {
		return room.State{}, "", err
	}
	return s, url, nil
}
