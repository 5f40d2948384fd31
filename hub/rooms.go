package hub

import (
	"context"
	"encoding/base64"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// plan is what a command decided: events to append and what goes with them.
type plan struct {
	drafts   []room.Draft
	links    []store.Link
	revoke   []string
	messages []store.Message
	contact  *store.ContactUse // the customer invited, for the address book
}

// maxCommitTries bounds the optimistic retry loop of commit. Within one
// instance commands on a room take turns (roomLocks), so conflicts only
// happen when several instances hit one room at the same instant.
const maxCommitTries = 20

// roomLocks serializes the commands on a room within one instance, so that
// they queue instead of racing each other through the store's optimistic
// check, and publish in the order they committed. Rooms share a fixed set
// of stripes: memory stays constant however many rooms there are.
type roomLocks [256]sync.Mutex

func (l *roomLocks) lock(roomID string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(roomID))
	m := &l[h.Sum32()%uint32(len(l))]
	m.Lock()
	return m.Unlock
}

// conflictBackoff is how long commit waits before its try-th retry: a few
// random milliseconds, growing, so that instances racing for one room
// spread out instead of colliding again.
func conflictBackoff(try int) time.Duration {
	return time.Duration(1+rand.IntN(2*min(try, 10))) * time.Millisecond
}

// commit runs decide against the room's latest state and appends what it
// returns, retrying with the new state when someone else appended first.
// It publishes the new events once they are durable. A decide that returns
// no drafts changes nothing.
func (h *Hub) commit(ctx context.Context, account, roomID string, decide func(room.State) (plan, error)) (room.State, error) {
	defer h.writers.lock(roomID)()
	for try := 0; ; try++ {
		s, err := h.store.Room(ctx, account, roomID)
		if err != nil {
			return s, err
		}
		p, err := decide(s)
		if err != nil || len(p.drafts) == 0 {
			return s, err
		}
		evs, err := room.Seal(roomID, s.Seq, h.now(), p.drafts)
		if err != nil {
			return s, err
		}
		next, err := h.store.Commit(ctx, account, roomID, store.Change{Events: evs, Links: p.links, RevokeLinks: p.revoke, Messages: p.messages, Contact: p.contact})
		if room.ErrorCode(err) == "seq_conflict" && try < maxCommitTries {
			select {
			case <-ctx.Done():
				return s, ctx.Err()
			case <-time.After(conflictBackoff(try + 1)):
			}
			continue
		}
		if err != nil {
			return s, err
		}
		h.published(account, evs, len(p.messages) > 0)
		h.noticeIfItems(account, roomID, evs)
		return next, nil
	}
}

// published fans committed events out, wakes the account's feeds, and wakes
// the dispatcher if they came with messages.
func (h *Hub) published(account string, evs []room.Event, messages bool) {
	h.metrics.appended.Add(float64(len(evs)))
	for _, ev := range evs {
		if err := h.cfg.Broker.Publish(h.ctx, ev); err != nil {
			// The event is durable: subscribers find it in the store when
			// they next see a later seq or reconnect.
			h.log.Warn().Err(err).Str("room", ev.Room).Int64("seq", ev.Seq).Msg("publish event")
		}
	}
	if len(evs) > 0 {
		// One wake-up per change, not per event: feeds read the store.
		if err := h.cfg.Broker.Publish(h.ctx, feedNotice(account, evs[len(evs)-1])); err != nil {
			h.log.Warn().Err(err).Str("account", account).Msg("publish feed notice")
		}
	}
	if messages {
		h.dispatcherKick()
	}
}

// invitePlan makes the link, the room.invited event and the message that
// carries the link, for a room in state s.
func (h *Hub) invitePlan(s room.State, agent room.Actor, team string) (plan, error) {
	link, m := h.newInvitation(s, s.Channel, s.Customer, agent, inviteMessage)
	d, err := room.Invite(s, room.InviteCustomer{Agent: agent, Link: link.ID, ExpiresAt: link.ExpiresAt})
	if err != nil {
		return plan{}, err
	}
	return plan{drafts: []room.Draft{d}, links: []store.Link{link}, messages: []store.Message{m}, contact: contactUse(s.Customer, agent, team, h.now())}, nil
}

// reengagePlan sends the invitation of s again, to cust by ch: the new
// link and its message, and the old link revoked.
func (h *Hub) reengagePlan(s room.State, agent room.Actor, team string, ch room.Channel, cust room.Customer) (plan, error) {
	if cust.Name == "" {
		cust.Name = s.Customer.Name
	}
	link, m := h.newInvitation(s, ch, cust, agent, inviteMessage)
	ds, err := room.Reengage(s, room.ReengageCustomer{Agent: agent, Channel: ch, Customer: cust, Link: link.ID, ExpiresAt: link.ExpiresAt})
	if err != nil {
		return plan{}, err
	}
	norm, err := room.ValidateCustomer(cust) // as Reengage stored it
	if err != nil {
		return plan{}, err
	}
	return plan{drafts: ds, links: []store.Link{link}, messages: []store.Message{m}, revoke: []string{s.Invite.Link}, contact: contactUse(norm, agent, team, h.now())}, nil
}

// contactUse is the address book's record of inviting c.
func contactUse(c room.Customer, agent room.Actor, team string, at time.Time) *store.ContactUse {
	return &store.ContactUse{Owner: agent.ID, Team: team, Name: c.Name, Phone: c.Phone, Email: c.Email, At: at}
}

// newInvitation makes a link to room s for cust by ch, and the message
// of kind that carries it, from the account's templates. cust is validated by the command that uses them.
func (h *Hub) newInvitation(s room.State, ch room.Channel, cust room.Customer, agent room.Actor, kind messageKind) (store.Link, store.Message) {
	token, hash := newToken()
	now := h.now()
	to, _ := room.Destination(ch, cust)
	link := store.Link{
		ID: room.NewID("ln"), Account: s.Account, Room: s.ID, TokenHash: hash,
		Channel: ch, To: to, CreatedAt: now, ExpiresAt: now.Add(h.cfg.LinkTTL),
	}
	company, set := "Tandem", store.AccountSettings{}
	if a, err := h.store.Account(h.ctx, s.Account); err == nil {
		company, set = or(a.Name, company), a.Settings
	}
	url := h.publicURL("/r/"+token, nil)
	subject, body := messageText(set, kind, cust, agent.Name, company, url, h.cfg.LinkTTL)
	m := store.Message{
		ID: room.NewID("msg"), Account: s.Account, Room: s.ID, Channel: ch, To: to,
		Body: body, Link: url, LinkID: link.ID, CreatedAt: now, Status: store.MessagePending,
	}
	if ch == room.ChannelEmail {
		m.Subject = subject
	}
	return link, m
}

// accountPhone returns raw in E.164, read in the account's phone region;
// an empty number stays empty.
func (h *Hub) accountPhone(ctx context.Context, account, raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", nil
	}
	acct, err := h.store.Account(ctx, account)
	if err != nil {
		return "", err
	}
	region := acct.PhoneRegion
	if region == "" {
		region = store.DefaultPhoneRegion
	}
	return e164(raw, region)
}

type createRoomRequest struct {
	Mode     room.Mode     `json:"mode"`
	Channel  room.Channel  `json:"channel"`
	Customer room.Customer `json:"customer"`
	// Contact, if set, is an address book entry whose name, phone and
	// email fill those the request leaves empty.
	Contact string `json:"contact,omitempty"`
}

func (h *Hub) handleCreateRoom(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	var req createRoomRequest
	if err := decode(w, r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	s, err := h.createRoom(r.Context(), p, req)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s)
}

// createRoom opens a session. In live mode the invitation is part of the
// same transaction: the room never exists without the link it promised.
func (h *Hub) createRoom(ctx context.Context, p principal, req createRoomRequest) (room.State, error) {
	agent := p.actor()
	var err error
	if req.Contact != "" {
		c, err := h.visibleContact(ctx, p, req.Contact)
		if err != nil {
			return room.State{}, err
		}
		if req.Customer.Name == "" {
			req.Customer.Name = c.Name
		}
		if req.Customer.Phone == "" {
			req.Customer.Phone = c.Phone
		}
		if req.Customer.Email == "" {
			req.Customer.Email = c.Email
		}
	}
	if req.Customer.Phone, err = h.accountPhone(ctx, p.account(), req.Customer.Phone); err != nil {
		return room.State{}, err
	}
	company := "Tandem"
	if a, err := h.store.Account(ctx, p.account()); err == nil && a.Name != "" {
		company = a.Name
	}
	d, err := room.Create(room.CreateRoom{Account: p.account(), Company: company, Agent: agent, Mode: req.Mode, Channel: req.Channel, Customer: req.Customer})
	if err != nil {
		return room.State{}, err
	}
	id := room.NewID("rm")
	evs, err := room.Seal(id, 0, h.now(), []room.Draft{d})
	if err != nil {
		return room.State{}, err
	}
	change := store.Change{Events: evs}
	if s, err := room.Fold(evs); err == nil {
		// Pre-planned too: the agent entered this customer, and will come
		// back to them.
		change.Contact = contactUse(s.Customer, agent, p.team(), h.now())
	}
	if req.Mode == room.ModeLive {
		s, err := room.Fold(evs)
		if err != nil {
			return room.State{}, err
		}
		ip, err := h.invitePlan(s, agent, p.team())
		if err != nil {
			return room.State{}, err
		}
		more, err := room.Seal(id, s.Seq, h.now(), ip.drafts)
		if err != nil {
			return room.State{}, err
		}
		change.Events = append(change.Events, more...)
		change.Links, change.Messages, change.Contact = ip.links, ip.messages, ip.contact
	}
	s, err := h.store.CreateRoom(ctx, p.account(), change)
	if err != nil {
		return room.State{}, err
	}
	h.log.Info().Str("room", id).Str("account", s.Account).Str("mode", string(s.Mode)).Msg("room created")
	h.published(p.account(), change.Events, len(change.Messages) > 0)
	return s, nil
}

func (h *Hub) handleInvite(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	s, err := h.commit(r.Context(), p.account(), roomIDFrom(r), func(s room.State) (plan, error) {
		return h.invitePlan(s, p.actor(), p.team())
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (h *Hub) handleClose(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	var req struct {
		Reason string `json:"reason"`
	}
	if r.ContentLength != 0 {
		if err := decode(w, r, &req); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	if len(req.Reason) > 500 {
		h.writeError(w, r, room.Errorf(room.KindInvalid, "the reason must be at most 500 bytes"))
		return
	}
	s, err := h.commit(r.Context(), p.account(), roomIDFrom(r), func(s room.State) (plan, error) {
		ds, err := room.Close(s, p.actor(), req.Reason)
		var revoke []string
		if err == nil && s.Invite != nil {
			revoke = []string{s.Invite.Link}
		}
		return plan{drafts: ds, revoke: revoke}, err
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

// handleReengage serves POST /api/v1/rooms/{id}/reengage: until the
// customer has connected once, the agent corrects the contact or switches
// channel, and the invitation goes out again on a new link.
func (h *Hub) handleReengage(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	var req struct {
		Channel  room.Channel  `json:"channel"`
		Customer room.Customer `json:"customer"`
	}
	if err := decode(w, r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	phone, err := h.accountPhone(r.Context(), p.account(), req.Customer.Phone)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	req.Customer.Phone = phone
	s, err := h.commit(r.Context(), p.account(), roomIDFrom(r), func(s room.State) (plan, error) {
		return h.reengagePlan(s, p.actor(), p.team(), req.Channel, req.Customer)
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

// handleActivity serves POST /api/v1/rooms/{id}/activity: an agent or the
// customer reports what they are doing. The answer carries the event's seq
// once it is durable.
func (h *Hub) handleActivity(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	var req struct {
		What string `json:"what"`
		Ref  string `json:"ref"`
	}
	if err := decode(w, r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	participant := room.CustomerParticipant
	if p.user != nil {
		participant = p.user.ID
	}
	s, err := h.commit(r.Context(), p.account(), roomIDFrom(r), func(s room.State) (plan, error) {
		d, err := room.ReportActivity(s, p.actor(), participant, req.What, req.Ref)
		return plan{drafts: []room.Draft{d}}, err
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"room": s.ID, "seq": s.Seq})
}

func (h *Hub) handleRoom(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	s, err := h.store.Room(r.Context(), p.account(), roomIDFrom(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (h *Hub) handleEvents(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	q := r.URL.Query()
	after, err := queryInt(q.Get("after"), 0, "after")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	limit, err := queryInt(q.Get("limit"), maxEventsPage, "limit")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if limit <= 0 || limit > maxEventsPage {
		limit = maxEventsPage
	}
	evs, err := h.store.Events(r.Context(), p.account(), roomIDFrom(r), after, int(limit))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if evs == nil {
		evs = []room.Event{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": evs})
}

// maxEventsPage is the most events one read returns.
const maxEventsPage = 1000

func queryInt(s string, def int64, name string) (int64, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, room.Errorf(room.KindInvalid, "%s must be a whole number, not %q", name, s)
	}
	return n, nil
}

func (h *Hub) handleRooms(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	q := r.URL.Query()
	rq := store.RoomQuery{Status: room.Status(q.Get("status")), InviteStatus: room.InviteStatus(q.Get("invite_status")), Search: q.Get("q")}
	switch a := q.Get("agent"); a {
	case "":
	case "me":
		rq.Agent = p.user.ID
	default:
		rq.Agent = a
	}
	switch rq.Status {
	case "", room.StatusPending, room.StatusInvited, room.StatusConnected, room.StatusLeft, room.StatusClosed:
	default:
		h.writeError(w, r, room.Errorf(room.KindInvalid, "unknown status %q", rq.Status))
		return
	}
	switch rq.InviteStatus {
	case "", room.InvitePending, room.InviteSent, room.InviteDelivered, room.InviteInvalid, room.InviteFailed, room.InviteConnected:
	default:
		h.writeError(w, r, room.Errorf(room.KindInvalid, "unknown invite_status %q", rq.InviteStatus))
		return
	}
	if len(rq.Search) > 200 {
		h.writeError(w, r, room.Errorf(room.KindInvalid, "q is longer than 200 bytes"))
		return
	}
	limit, err := queryInt(q.Get("limit"), 50, "limit")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	rq.Limit = int(min(max(limit, 1), 200))
	if b := q.Get("before"); b != "" {
		c, err := decodeCursor(b)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		rq.Before = &c
	}
	rooms, err := h.store.ListRooms(r.Context(), p.account(), rq)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := map[string]any{"rooms": rooms}
	if rooms == nil {
		out["rooms"] = []room.State{}
	}
	if len(rooms) == rq.Limit {
		last := rooms[len(rooms)-1]
		out["next"] = encodeCursor(store.RoomCursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	writeJSON(w, http.StatusOK, out)
}

func encodeCursor(c store.RoomCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + c.ID))
}

func decodeCursor(s string) (store.RoomCursor, error) {
	bad := room.Errorf(room.KindInvalid, "before is not a cursor from a previous page")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return store.RoomCursor{}, bad
	}
	ts, id, ok := strings.Cut(string(b), "|")
	t, err := time.Parse(time.RFC3339Nano, ts)
	if !ok || err != nil || !room.ValidID("rm", id) {
		return store.RoomCursor{}, bad
	}
	return store.RoomCursor{CreatedAt: t, ID: id}, nil
}

// roomIDFrom returns the {id} of the path. Routes only match well-formed
// ids, so handlers never pass garbage to the store.
func roomIDFrom(r *http.Request) string { return mux.Vars(r)["id"] }
