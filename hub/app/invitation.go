package app

import (
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// invitePlan makes the link, the room.invited event and the message that
// carries the link, for a room in state s.
func (a *App) invitePlan(s room.State, in inviter) (Plan, error) {
	link, m := a.newInvitation(s, s.Channel, s.Customer, in.agent, tandem.InviteMessage)
	d, err := room.Invite(s, room.InviteCustomer{Agent: in.agent, Link: link.ID, ExpiresAt: link.ExpiresAt})
	if err != nil {
		return Plan{}, err
	}
	// Documents staged in a pre-planned room go out with the invitation.
	drafts := append([]room.Draft{d}, room.SendPending(s, in.agent)...)
	return Plan{Drafts: drafts, Links: []store.Link{link}, Messages: []store.Message{m}, Contact: contactUse(s.Customer, in, a.now())}, nil
}

// reengagePlan sends the invitation of s again, to cust by ch: the new
// link and its message, and the old link revoked.
func (a *App) reengagePlan(s room.State, in inviter, ch room.Channel, cust room.Customer) (Plan, error) {
	if cust.Name == "" {
		cust.Name = s.Customer.Name
	}
	link, m := a.newInvitation(s, ch, cust, in.agent, tandem.InviteMessage)
	ds, err := room.Reengage(s, room.ReengageCustomer{Agent: in.agent, Channel: ch, Customer: cust, Link: link.ID, ExpiresAt: link.ExpiresAt})
	if err != nil {
		return Plan{}, err
	}
	norm, err := room.ValidateCustomer(cust) // as Reengage stored it
	if err != nil {
		return Plan{}, err
	}
	return Plan{Drafts: ds, Links: []store.Link{link}, Messages: []store.Message{m}, Revoke: []string{s.Invite.Link}, Contact: contactUse(norm, in, a.now())}, nil
}

// contactUse is the address book's record of in inviting c. The contact
// it matches is updated only if the inviter may see it (in.editable):
// an agent may reach a customer another agent owns, not rewrite them.
func contactUse(c room.Customer, in inviter, at time.Time) *store.ContactUse {
	return &store.ContactUse{Owner: in.agent.ID, Team: in.team, Name: c.Name, Phone: c.Phone, Email: c.Email, At: at, Editable: in.editable}
}

// newInvitation makes a link to room s for cust by ch, and the message of
// kind that carries it, from the account's templates. cust is validated
// by the command that uses them.
func (a *App) newInvitation(s room.State, ch room.Channel, cust room.Customer, agent room.Actor, kind tandem.MessageKind) (store.Link, store.Message) {
	now := a.now()
	to, _ := room.Destination(ch, cust)
	link, token := a.newLink(s, ch, to)
	company, set := "Tandem", tandem.AccountSettings{}
	if acct, err := a.store.Account(a.ctx, s.Account); err == nil {
		if acct.Name != "" {
			company = acct.Name
		}
		set = acct.Settings
	}
	url := a.publicURL("/r/"+token, nil)
	subject, body := tandem.MessageText(set, kind, cust.Name, agent.Name, company, url, a.cfg.LinkTTL)
	m := store.Message{
		ID: room.NewID("msg"), Account: s.Account, Room: s.ID, Channel: ch, To: to,
		Body: body, Link: url, LinkID: link.ID, CreatedAt: now, Status: store.MessagePending,
	}
	if ch == room.ChannelEmail {
		m.Subject = subject
	}
	return link, m
}

// newLink makes a new link to room s, and the token that opens it (never
// stored: only its hash is). ch and to say where it is meant to go.
func (a *App) newLink(s room.State, ch room.Channel, to string) (store.Link, string) {
	token, hash := newToken()
	now := a.now()
	return store.Link{
		ID: room.NewID("ln"), Account: s.Account, Room: s.ID, TokenHash: hash,
		Channel: ch, To: to, CreatedAt: now, ExpiresAt: now.Add(a.cfg.LinkTTL),
	}, token
}
