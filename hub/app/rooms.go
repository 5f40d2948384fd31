package app

import (
	"context"
	"strings"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// NewRoom is what an agent asks for when opening a session.
type NewRoom struct {
	Mode     room.Mode     `json:"mode"`
	Channel  room.Channel  `json:"channel"`
	Customer room.Customer `json:"customer"`
	// Contact, if set, is an address book entry whose name, phone and
	// email fill those the request leaves empty.
	Contact string `json:"contact,omitempty"`
}

// CreateRoom opens a session. In live mode the invitation is part of the
// same change: the room never exists without the link it promised.
func (a *App) CreateRoom(ctx context.Context, c Caller, req NewRoom) (room.State, error) {
	agent := c.Actor()
	var err error
	if req.Contact != "" {
		ct, err := a.visibleContact(ctx, c, req.Contact)
		if err != nil {
			return room.State{}, err
		}
		if req.Customer.Name == "" {
			req.Customer.Name = ct.Name
		}
		if req.Customer.Phone == "" {
			req.Customer.Phone = ct.Phone
		}
		if req.Customer.Email == "" {
			req.Customer.Email = ct.Email
		}
	}
	if req.Customer.Phone, err = a.accountPhone(ctx, c.Account(), req.Customer.Phone); err != nil {
		return room.State{}, err
	}
	company := "Tandem"
	if acct, err := a.store.Account(ctx, c.Account()); err == nil && acct.Name != "" {
		company = acct.Name
	}
	d, err := room.Create(room.CreateRoom{Account: c.Account(), Company: company, Agent: agent, Mode: req.Mode, Channel: req.Channel, Customer: req.Customer})
	if err != nil {
		return room.State{}, err
	}
	id := room.NewID("rm")
	first, err := room.Number(id, 0, a.now(), []room.Draft{d})
	if err != nil {
		return room.State{}, err
	}
	s, err := room.Fold(first)
	if err != nil {
		return room.State{}, err
	}
	in, err := a.inviter(ctx, c)
	if err != nil {
		return room.State{}, err
	}
	// Pre-planned too: the agent entered this customer, and will come back
	// to them.
	p := Plan{Drafts: []room.Draft{d}, Contact: contactUse(s.Customer, in, a.now())}
	if req.Mode == room.ModeLive {
		ip, err := a.invitePlan(s, in)
		if err != nil {
			return room.State{}, err
		}
		p.Drafts = append(p.Drafts, ip.Drafts...)
		p.Links, p.Messages, p.Contact = ip.Links, ip.Messages, ip.Contact
	}
	s, err = a.create(ctx, id, p)
	if err != nil {
		return room.State{}, err
	}
	a.log.Info().Str("room", id).Str("account", s.Account).Str("mode", string(s.Mode)).Msg("room created")
	return s, nil
}

// Invite sends the customer of a pre-planned room their link.
func (a *App) Invite(ctx context.Context, c Caller, roomID string) (room.State, error) {
	in, err := a.inviter(ctx, c)
	if err != nil {
		return room.State{}, err
	}
	return a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		return a.invitePlan(s, in)
	})
}

// MaxReasonLen bounds the reason (the outcome) an agent gives for closing
// a room.
const MaxReasonLen = room.MaxOutcomeLen

// CloseRoom ends a session; the customer's link stops working. reason is
// the session's outcome, optional (room.Close checks it).
func (a *App) CloseRoom(ctx context.Context, c Caller, roomID, reason string) (room.State, error) {
	return a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		ds, err := room.Close(s, c.Actor(), reason)
		var revoke []string
		if err == nil && s.Invite != nil {
			revoke = []string{s.Invite.Link}
		}
		return Plan{Drafts: ds, Revoke: revoke}, err
	})
}

// Reengage corrects the contact or switches channel, until the customer
// has connected once, and sends the invitation again on a new link.
func (a *App) Reengage(ctx context.Context, c Caller, roomID string, ch room.Channel, cust room.Customer) (room.State, error) {
	phone, err := a.accountPhone(ctx, c.Account(), cust.Phone)
	if err != nil {
		return room.State{}, err
	}
	cust.Phone = phone
	in, err := a.inviter(ctx, c)
	if err != nil {
		return room.State{}, err
	}
	return a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		return a.reengagePlan(s, in, ch, cust)
	})
}

// ReportActivity records what an agent or the customer is doing now.
func (a *App) ReportActivity(ctx context.Context, c Caller, roomID, what, ref string) (room.State, error) {
	return a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		d, err := room.ReportActivity(s, c.Actor(), c.Participant(), what, ref)
		return Plan{Drafts: []room.Draft{d}}, err
	})
}

// Room is the state of a room of the caller's account.
func (a *App) Room(ctx context.Context, c Caller, roomID string) (room.State, error) {
	return a.store.Room(ctx, c.Account(), roomID)
}

// Events is up to limit events of a room after seq after.
func (a *App) Events(ctx context.Context, c Caller, roomID string, after int64, limit int) ([]room.Event, error) {
	return a.store.Events(ctx, c.Account(), roomID, after, tandem.PageSize(limit, tandem.MaxEventsPage, tandem.MaxEventsPage))
}

// MaxSearchLen bounds a search of the room list.
const MaxSearchLen = 200

// ListRooms lists the rooms of the caller's account, newest first or, with
// store.OrderActivity, the latest event first.
func (a *App) ListRooms(ctx context.Context, c Caller, q store.RoomQuery) ([]room.State, error) {
	switch q.Status {
	case "", room.StatusPending, room.StatusInvited, room.StatusConnected, room.StatusLeft, room.StatusClosed:
	default:
		return nil, tandem.Errorf(tandem.KindInvalid, "unknown status %q", q.Status)
	}
	switch q.InviteStatus {
	case "", room.InvitePending, room.InviteSent, room.InviteDelivered, room.InviteInvalid, room.InviteFailed, room.InviteConnected:
	default:
		return nil, tandem.Errorf(tandem.KindInvalid, "unknown invite_status %q", q.InviteStatus)
	}
	if q.Order != store.OrderCreated && q.Order != store.OrderActivity {
		return nil, tandem.Errorf(tandem.KindInvalid, "unknown order %q", q.Order)
	}
	if len(q.Search) > MaxSearchLen {
		return nil, tandem.Errorf(tandem.KindInvalid, "q is longer than %d bytes", MaxSearchLen)
	}
	if !storable(q.Search) {
		return nil, tandem.Errorf(tandem.KindInvalid, "q must be UTF-8 text without NUL characters")
	}
	q.Limit = tandem.PageSize(q.Limit, tandem.DefaultRoomsPage, tandem.MaxRoomsPage)
	return a.store.ListRooms(ctx, c.Account(), q)
}

// accountPhone returns raw in E.164, read in the account's phone region;
// an empty number stays empty.
func (a *App) accountPhone(ctx context.Context, account, raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", nil
	}
	acct, err := a.store.Account(ctx, account)
	if err != nil {
		return "", err
	}
	region := acct.PhoneRegion
	if region == "" {
		region = tandem.DefaultPhoneRegion
	}
	return e164(raw, region)
}
