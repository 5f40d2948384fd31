package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

func (s *Server) handleCreateRoom(w http.ResponseWriter, r *http.Request) {
	var req app.NewRoom
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.app.CreateRoom(r.Context(), principalFrom(r.Context()).Caller, req)
	s.answer(w, r, http.StatusCreated, st, err)
}

func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) {
	st, err := s.app.Invite(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r))
	s.answer(w, r, http.StatusOK, st, err)
}

func (s *Server) handleClose(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeOptional(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.app.CloseRoom(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), req.Reason)
	s.answer(w, r, http.StatusOK, st, err)
}

// handleReengage serves POST /api/v1/rooms/{id}/reengage: until the
// customer has connected once, the agent corrects the contact or switches
// channel, and the invitation goes out again on a new link.
func (s *Server) handleReengage(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Channel  room.Channel  `json:"channel"`
		Customer room.Customer `json:"customer"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.app.Reengage(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), req.Channel, req.Customer)
	s.answer(w, r, http.StatusOK, st, err)
}

// CustomerWritesPerMinute is the default bound on what a room's customer
// may write to it (Config.CustomerWritesPerMinute),
// per instance: a link holder cannot fill the log.
const CustomerWritesPerMinute = 120

// handleActivity serves POST /api/v1/rooms/{id}/activity: an agent or the
// customer reports what they are doing. The answer carries the event's seq
// once it is durable.
func (s *Server) handleActivity(w http.ResponseWriter, r *http.Request) {
	var req struct {
		What string `json:"what"`
		Ref  string `json:"ref"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	if !s.customerWrite(w, r) {
		return
	}
	st, err := s.app.ReportActivity(r.Context(), p.Caller, roomIDFrom(r), req.What, req.Ref)
	s.answer(w, r, http.StatusCreated, map[string]any{"room": st.ID, "seq": st.Seq}, err)
}

func (s *Server) handleRoom(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	st, err := s.app.Room(r.Context(), p.Caller, roomIDFrom(r))
	if err != nil || p.Pass == nil {
		s.answer(w, r, http.StatusOK, st, err)
		return
	}
	s.answerCustomerRoom(w, r, st)
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err := queryInt(q.Get("after"), 0, "after")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := queryInt(q.Get("limit"), tandem.MaxEventsPage, "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	evs, err := s.app.Events(r.Context(), p.Caller, roomIDFrom(r), after, int(min(limit, tandem.MaxEventsPage)))
	if evs == nil {
		evs = []room.Event{}
	}
	if p.Pass != nil {
		for i := range evs {
			evs[i] = room.ForCustomer(evs[i])
		}
	}
	s.answer(w, r, http.StatusOK, map[string]any{"events": evs}, err)
}

func (s *Server) handleRooms(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	q := r.URL.Query()
	rq := store.RoomQuery{Status: room.Status(q.Get("status")), InviteStatus: room.InviteStatus(q.Get("invite_status")), Search: q.Get("q")}
	// status=waiting is the list's "Waiting for customer": invited, the
	// link not known to have failed.
	if rq.Status == statusWaiting {
		rq.Status, rq.Waiting = "", true
	}
	switch o := q.Get("order"); o {
	case "", "created":
	case "activity":
		rq.Order = store.OrderActivity
	default:
		s.writeError(w, r, tandem.Errorf(tandem.KindInvalid, "order must be \"created\" or \"activity\", not %q", o))
		return
	}
	var err error
	if rq.Agent, err = agentFilter(p, q.Get("agent")); err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := queryInt(q.Get("limit"), tandem.DefaultRoomsPage, "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rq.Limit = int(min(max(limit, 1), tandem.MaxRoomsPage))
	if b := q.Get("before"); b != "" {
		c, err := decodeCursor(b)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if rq.Order == store.OrderActivity {
			c.CreatedAt, c.UpdatedAt = time.Time{}, c.CreatedAt
		}
		rq.Before = &c
	}
	rooms, err := s.app.ListRooms(r.Context(), p.Caller, rq)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := map[string]any{"rooms": rooms}
	if rooms == nil {
		out["rooms"] = []room.State{}
	}
	if len(rooms) == rq.Limit {
		last := rooms[len(rooms)-1]
		at := last.CreatedAt
		if rq.Order == store.OrderActivity {
			at = last.UpdatedAt
		}
		out["next"] = encodeCursor(store.RoomCursor{CreatedAt: at, ID: last.ID})
	}
	writeJSON(w, http.StatusOK, out)
}

// statusWaiting is the status filter of the rooms waiting for their
// customer (store.RoomQuery.Waiting), beside the rooms' own statuses.
const statusWaiting room.Status = "waiting"

// agentFilter reads a listing's agent parameter: "me" for the caller, a
// user id, or nothing for every agent's rooms.
func agentFilter(p principal, v string) (string, error) {
	switch {
	case v == "":
		return "", nil
	case v == "me":
		return p.User.ID, nil
	case room.ValidID("us", v):
		return v, nil
	}
	return "", tandem.Errorf(tandem.KindInvalid, "agent must be \"me\" or a user id")
}

// answer writes v with status, or err.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

func queryInt(s string, def int64, name string) (int64, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, tandem.Errorf(tandem.KindInvalid, "%s must be a whole number, not %q", name, s)
	}
	return n, nil
}

func encodeCursor(c store.RoomCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + c.ID))
}

func decodeCursor(s string) (store.RoomCursor, error) {
	bad := tandem.Errorf(tandem.KindInvalid, "before is not a cursor from a previous page")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return store.RoomCursor{}, bad
	}
	ts, id, ok := strings.Cut(string(b), "|")
	t, err := time.Parse(time.RFC3339Nano, ts)
	if !ok || err != nil || !room.ValidID("rm", id) {
		return store.RoomCursor{}, bad
	}
	// Cursors hold rooms' creation times, in UTC. A time whose year in UTC
	// is outside 1 to 9999 is no room's: RFC 3339 cannot write it, and
	// PostgreSQL has no year 0.
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return store.RoomCursor{}, bad
	}
	return store.RoomCursor{CreatedAt: t, ID: id}, nil
}
