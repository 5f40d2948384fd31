package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

// CreateRoom is what an agent gives to open a room.
type CreateRoom struct {
	Mode     room.Mode     `json:"mode"`    // live sends the invitation at once; preplan waits for Invite
	Channel  room.Channel  `json:"channel"` // how the customer is invited
	Customer room.Customer `json:"customer"`
	// Contact, if set, is an address book entry that fills the customer's
	// fields left empty.
	Contact string `json:"contact,omitempty"`
}

// RoomQuery filters and pages Rooms. Zero fields are not sent, so the hub's
// defaults apply.
type RoomQuery struct {
	Agent        string            // "me" for only the signed-in agent's rooms
	Status       room.Status       // only rooms in this status, or StatusWaiting
	InviteStatus room.InviteStatus // only rooms whose invitation is in this status
	Search       string            // only rooms whose customer's name, email or phone number contains this
	Limit        int               // at most this many rooms (the hub's default is 50, its maximum 200)
	Before       string            // the Next of the previous page
	// Order is "" or OrderCreated (newest first) or OrderActivity (the
	// room with the latest event first). Next pages in the same order.
	Order string
}

// The orders of RoomQuery.Order.
const (
	OrderCreated  = "created"
	OrderActivity = "activity"
)

// StatusWaiting, as RoomQuery.Status, keeps the rooms waiting for their
// customer: invited, and the link not known to have failed (invitation
// sent or delivered, not invalid or failed).
const StatusWaiting room.Status = "waiting"

// RoomPage is one page of Rooms, in the query's order.
type RoomPage struct {
	Rooms []room.State `json:"rooms"`
	Next  string       `json:"next"` // pass as RoomQuery.Before for the next page; "" on the last page
}

// OutboxMessage is an SMS or email the hub sent, as the development outbox
// shows it: with it, tests and demos follow invitations without a real
// SMS or email provider.
type OutboxMessage struct {
	ID      string       `json:"id"`
	Room    string       `json:"room"` // "" for messages of no room (password resets)
	Channel room.Channel `json:"channel"`
	To      string       `json:"to"`
	Subject string       `json:"subject"`
	Body    string       `json:"body"`
	Link    string       `json:"link"` // the URL the message carries, such as a room link
	At      time.Time    `json:"at"`
	Status  string       `json:"status"` // "pending", "sent" or "failed"
	// Attachment names the file an email carries (a signed copy), if any.
	Attachment string `json:"attachment,omitempty"`
}

// errNoRoom is returned for an empty room id, which would name another
// endpoint.
var errNoRoom = errors.New("client: empty room id")

// CreateRoom opens a room for a customer. In live mode the invitation goes
// out at once.
func (c *Client) CreateRoom(ctx context.Context, r CreateRoom) (room.State, error) {
	var out room.State
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "rooms"), r, &out)
	return out, err
}

// Invite sends the invitation of a pre-planned room and returns its state.
func (c *Client) Invite(ctx context.Context, roomID string) (room.State, error) {
	if roomID == "" {
		return room.State{}, errNoRoom
	}
	var out room.State
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "rooms", roomID, "invite"), nil, &out)
	return out, err
}

// Reengage sends the invitation again on a new link, to a corrected
// contact or by the other channel (customer.Name empty keeps the name); the
// old link stops working. It is refused with already_connected once the
// customer has connected.
func (c *Client) Reengage(ctx context.Context, roomID string, channel room.Channel, customer room.Customer) (room.State, error) {
	if roomID == "" {
		return room.State{}, errNoRoom
	}
	in := map[string]any{"channel": channel, "customer": customer}
	var out room.State
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "rooms", roomID, "reengage"), in, &out)
	return out, err
}

// CloseRoom ends a session: the room's link is revoked and a customer
// still in the room is disconnected. reason is optional.
func (c *Client) CloseRoom(ctx context.Context, roomID, reason string) (room.State, error) {
	if roomID == "" {
		return room.State{}, errNoRoom
	}
	var in any
	if reason != "" {
		in = map[string]string{"reason": reason}
	}
	var out room.State
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "rooms", roomID, "close"), in, &out)
	return out, err
}

// Room returns the current state of a room. Agents may read every room of
// their account, customers the room of the link they opened.
func (c *Client) Room(ctx context.Context, roomID string) (room.State, error) {
	if roomID == "" {
		return room.State{}, errNoRoom
	}
	var out room.State
	err := c.do(ctx, http.MethodGet, c.endpoint(nil, "api", "v1", "rooms", roomID), nil, &out)
	return out, err
}

// Rooms lists the account's rooms, newest first, one page at a time.
func (c *Client) Rooms(ctx context.Context, q RoomQuery) (RoomPage, error) {
	v := url.Values{}
	if q.Agent != "" {
		v.Set("agent", q.Agent)
	}
	if q.Status != "" {
		v.Set("status", string(q.Status))
	}
	if q.InviteStatus != "" {
		v.Set("invite_status", string(q.InviteStatus))
	}
	if q.Search != "" {
		v.Set("q", q.Search)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Before != "" {
		v.Set("before", q.Before)
	}
	if q.Order != "" {
		v.Set("order", q.Order)
	}
	var out RoomPage
	err := c.do(ctx, http.MethodGet, c.endpoint(v, "api", "v1", "rooms"), nil, &out)
	return out, err
}

// Events returns the room's events with seq > after, in order, at most
// limit of them (limit <= 0 means the hub's default, 1000). Page by passing
// the last seq received as after; an empty slice means there is no more.
func (c *Client) Events(ctx context.Context, roomID string, after int64, limit int) ([]room.Event, error) {
	if roomID == "" {
		return nil, errNoRoom
	}
	v := url.Values{"after": {strconv.FormatInt(max(after, 0), 10)}}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	var out struct {
		Events []room.Event `json:"events"`
	}
	err := c.do(ctx, http.MethodGet, c.endpoint(v, "api", "v1", "rooms", roomID, "events"), nil, &out)
	return out.Events, err
}

// DevOutbox returns the messages of the hub's development outbox, newest
// first. It exists only on a hub started with the dev outbox; others
// answer 404.
func (c *Client) DevOutbox(ctx context.Context) ([]OutboxMessage, error) {
	var raw json.RawMessage
	if err := c.do(ctx, http.MethodGet, c.endpoint(nil, "api", "v1", "dev", "outbox"), nil, &raw); err != nil {
		return nil, err
	}
	// The answer is {"messages": [...]}; a bare array is accepted too.
	var out struct {
		Messages []OutboxMessage `json:"messages"`
	}
	if err := json.Unmarshal(raw, &out); err == nil {
		return out.Messages, nil
	}
	var list []OutboxMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("client: dev outbox: %w: %w", ErrProtocol, err)
	}
	return list, nil
}

// ReportActivity records what the caller is doing in a room ("viewing",
// "typing"…): a participant.activity event that everyone in the room
// receives. Ref is an optional correlation id of the caller's, echoed in
// the event's data. It returns the event's seq.
func (c *Client) ReportActivity(ctx context.Context, roomID, what, ref string) (int64, error) {
	if roomID == "" {
		return 0, errNoRoom
	}
	var out struct {
		Seq int64 `json:"seq"`
	}
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "rooms", roomID, "activity"), map[string]string{"what": what, "ref": ref}, &out)
	return out.Seq, err
}

// AccountSettings are an account's settings: time zone, quiet hours,
// reminders and message templates (see docs/protocol.md). They are the
// hub's own type.
type AccountSettings = tandem.AccountSettings

// Settings returns the signed-in agent's account settings.
func (c *Client) Settings(ctx context.Context) (AccountSettings, error) {
	var out AccountSettings
	err := c.do(ctx, http.MethodGet, c.endpoint(nil, "api", "v1", "account", "settings"), nil, &out)
	return out, err
}

// UpdateSettings replaces the account's settings (admins only) and returns
// them as stored.
func (c *Client) UpdateSettings(ctx context.Context, s AccountSettings) (AccountSettings, error) {
	var out AccountSettings
	err := c.do(ctx, http.MethodPut, c.endpoint(nil, "api", "v1", "account", "settings"), s, &out)
	return out, err
}

// Contact is an entry of the account's address book: the hub's own type.
type Contact = tandem.Contact

// Contacts searches the address book (by name, phone or email; q empty
// lists it), most recently used first; limit 0 means the hub's default.
func (c *Client) Contacts(ctx context.Context, q string, limit int) ([]Contact, error) {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	var out struct {
		Contacts []Contact `json:"contacts"`
	}
	err := c.do(ctx, http.MethodGet, c.endpoint(v, "api", "v1", "contacts"), nil, &out)
	return out.Contacts, err
}

// UpdateContact changes a contact; nil fields stay as they are.
func (c *Client) UpdateContact(ctx context.Context, id string, name, phone, email *string) (Contact, error) {
	in := map[string]*string{}
	if name != nil {
		in["name"] = name
	}
	if phone != nil {
		in["phone"] = phone
	}
	if email != nil {
		in["email"] = email
	}
	var out Contact
	err := c.do(ctx, http.MethodPatch, c.endpoint(nil, "api", "v1", "contacts", id), in, &out)
	return out, err
}

// DeleteContact removes a contact from the address book and erases its
// personal data from the records of its rooms.
func (c *Client) DeleteContact(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, c.endpoint(nil, "api", "v1", "contacts", id), nil, nil)
}

// ResendLink sends the customer their link again, on a new link, to the
// contact in use; the old link stops working. Refused (409
// customer_in_room) while the customer is in the room.
func (c *Client) ResendLink(ctx context.Context, roomID string) (room.State, error) {
	if roomID == "" {
		return room.State{}, errNoRoom
	}
	var out room.State
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "rooms", roomID, "resend"), nil, &out)
	return out, err
}

// CopiedLink is a new link to a room, for the agent to pass on
// themselves.
type CopiedLink struct {
	URL       string     `json:"url"`
	ExpiresAt time.Time  `json:"expires_at"`
	Room      room.State `json:"room"`
}

// CopyLink makes a new link to the room and returns its address without
// sending it (for a phone call); the old link stops working. Refused (409
// customer_in_room) while the customer is in the room.
func (c *Client) CopyLink(ctx context.Context, roomID string) (CopiedLink, error) {
	if roomID == "" {
		return CopiedLink{}, errNoRoom
	}
	var out CopiedLink
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "rooms", roomID, "link"), nil, &out)
	return out, err
}
