package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Room implements store.Rooms.
func (s *DB) Room(ctx context.Context, account, id string) (room.State, error) {
	var state string
	err := s.stmts.room.GetContext(ctx, &state, id, account)
	if errors.Is(err, sql.ErrNoRows) {
		return room.State{}, roomNotFound(id)
	}
	if err != nil {
		return room.State{}, fmt.Errorf("get room %s: %w", id, err)
	}
	var st room.State
	if err := json.Unmarshal([]byte(state), &st); err != nil {
		return room.State{}, fmt.Errorf("get room %s: decode state: %w", id, err)
	}
	return st, nil
}

// ListRooms implements store.Rooms: newest first, by creation time then id,
// or with store.OrderActivity by the time of the last event then id. Limit defaults to tandem.DefaultRoomsPage and is capped at
// tandem.MaxRoomsPage.
func (s *DB) ListRooms(ctx context.Context, account string, q store.RoomQuery) ([]room.State, error) {
	limit := tandem.PageSize(q.Limit, tandem.DefaultRoomsPage, tandem.MaxRoomsPage)
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where := []string{"account_id = " + arg(account)}
	if q.Agent != "" {
		where = append(where, "agent_id = "+arg(q.Agent))
	}
	if q.Status != "" {
		where = append(where, "status = "+arg(string(q.Status)))
	}
	if q.InviteStatus != "" {
		where = append(where, "invite_status = "+arg(string(q.InviteStatus)))
	}
	if q.Waiting {
		where = append(where, "status = "+arg(string(room.StatusInvited)), fmt.Sprintf("invite_status IN (%s, %s)", arg(string(room.InviteSent)), arg(string(room.InviteDelivered))))
	}
	if p := searchPattern(q.Search); p != "" {
		where = append(where, "search LIKE "+arg(p)+` ESCAPE '\'`)
	}
	col, cursorAt := "created_at", func(c *store.RoomCursor) timestamp { return ts(c.CreatedAt) }
	switch q.Order {
	case store.OrderCreated:
	case store.OrderActivity:
		col, cursorAt = "updated_at", func(c *store.RoomCursor) timestamp { return ts(c.UpdatedAt) }
	default:
		return nil, tandem.Errorf(tandem.KindInvalid, "unknown order %q", q.Order)
	}
	if q.Before != nil {
		at := cursorAt(q.Before)
		where = append(where, fmt.Sprintf("(%s < %s OR (%s = %s AND id < %s))", col, arg(at), col, arg(at), arg(q.Before.ID)))
	}
	query := `SELECT state FROM rooms WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + col + ` DESC, id DESC LIMIT ` + arg(limit)
	return s.states(ctx, "list rooms of account "+account, query, args...)
}

// ChangedRooms implements store.Rooms. Limit defaults to
// tandem.DefaultRoomsPage and is capped at tandem.MaxRoomsPage.
func (s *DB) ChangedRooms(ctx context.Context, account string, q store.ChangeQuery) ([]room.State, error) {
	limit := tandem.PageSize(q.Limit, tandem.DefaultRoomsPage, tandem.MaxRoomsPage)
	at := ts(q.Since)
	args := []any{account, at, q.AfterID}
	query := `SELECT state FROM rooms WHERE account_id = $1 AND (updated_at > $2 OR (updated_at = $2 AND id > $3))`
	if q.Agent != "" {
		args = append(args, q.Agent)
		query += ` AND agent_id = $4`
	}
	args = append(args, limit)
	query += fmt.Sprintf(` ORDER BY updated_at, id LIMIT $%d`, len(args))
	return s.states(ctx, "rooms of account "+account+" changed", query, args...)
}

// states runs a query selecting state and decodes the rooms.
func (s *DB) states(ctx context.Context, what, query string, args ...any) ([]room.State, error) {
	var states []string
	if err := s.db.SelectContext(ctx, &states, query, args...); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out := make([]room.State, len(states))
	for i, state := range states {
		if err := json.Unmarshal([]byte(state), &out[i]); err != nil {
			return nil, fmt.Errorf("%s: decode state: %w", what, err)
		}
	}
	return out, nil
}

// searchKey is what RoomQuery.Search looks in: the customer's name and
// email case folded, and the digits of the phone number (E.164 without its
// plus).
func searchKey(c room.Customer) string {
	return strings.ToLower(c.Name) + " " + strings.TrimPrefix(c.Phone, "+") + " " + strings.ToLower(c.Email)
}

// searchPattern is the LIKE pattern of a search: its digits when it is
// written as a phone number, else its case-folded text; "" for no search.
func searchPattern(q string) string {
	q = strings.TrimSpace(q)
	if q == "" {
		return ""
	}
	digits, phoneish := strings.Builder{}, true
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case strings.ContainsRune(" +-().", r):
		default:
			phoneish = false
		}
	}
	if phoneish && digits.Len() > 0 {
		q = digits.String()
	} else {
		q = strings.ToLower(q)
	}
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + esc.Replace(q) + "%"
}

// RoomsInStatus implements store.Rooms. limit is capped at
// tandem.MaxRoomsPage.
func (s *DB) RoomsInStatus(ctx context.Context, status room.Status, after string, limit int) ([]room.State, error) {
	if limit <= 0 {
		return nil, nil
	}
	var states []string
	err := s.db.SelectContext(ctx, &states, `SELECT state FROM rooms WHERE status = $1 AND id > $2 ORDER BY id LIMIT $3`, string(status), after, min(limit, tandem.MaxRoomsPage))
	if err != nil {
		return nil, fmt.Errorf("rooms in status %s: %w", status, err)
	}
	out := make([]room.State, len(states))
	for i, state := range states {
		if err := json.Unmarshal([]byte(state), &out[i]); err != nil {
			return nil, fmt.Errorf("rooms in status %s: decode state: %w", status, err)
		}
	}
	return out, nil
}

// AllRooms implements store.Rooms.
func (s *DB) AllRooms(ctx context.Context, after string, limit int) ([]store.RoomRef, error) {
	limit = tandem.PageSize(limit, tandem.MaxRoomsPage, tandem.MaxRoomsPage)
	var rows []struct {
		Account string `db:"account_id"`
		ID      string `db:"id"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT account_id, id FROM rooms WHERE id > $1 ORDER BY id LIMIT $2`, after, limit); err != nil {
		return nil, fmt.Errorf("all rooms after %q: %w", after, err)
	}
	out := make([]store.RoomRef, len(rows))
	for i, r := range rows {
		out[i] = store.RoomRef{Account: r.Account, ID: r.ID}
	}
	return out, nil
}

// FindRoom implements store.Rooms.
func (s *DB) FindRoom(ctx context.Context, id string) (store.RoomRef, error) {
	var account string
	err := s.db.GetContext(ctx, &account, `SELECT account_id FROM rooms WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return store.RoomRef{}, roomNotFound(id)
	}
	if err != nil {
		return store.RoomRef{}, fmt.Errorf("find room %s: %w", id, err)
	}
	return store.RoomRef{Account: account, ID: id}, nil
}

// roomExists reports, as an error, a room of account that is not there:
// reading its log must say so instead of finding no events. A page of the
// log asks only when it found none: its query finds events of the
// account's rooms alone.
func (s *DB) roomExists(ctx context.Context, account, roomID string) error {
	var n int
	if err := s.stmts.roomExists.GetContext(ctx, &n, roomID, account); err != nil {
		return fmt.Errorf("events of room %s: %w", roomID, err)
	}
	if n == 0 {
		return roomNotFound(roomID)
	}
	return nil
}

// Events implements store.Rooms. A limit of 0 or less, or over
// tandem.MaxEventsPage, means tandem.MaxEventsPage.
func (s *DB) Events(ctx context.Context, account, roomID string, after int64, limit int) ([]room.Event, error) {
	limit = tandem.PageSize(limit, tandem.MaxEventsPage, tandem.MaxEventsPage)
	var rows []struct {
		Room   string    `db:"room_id"`
		Seq    int64     `db:"seq"`
		Type   string    `db:"type"`
		At     timestamp `db:"at"`
		Actor  string    `db:"actor"`
		Origin string    `db:"origin"`
		Data   string    `db:"data"`
		Hash   string    `db:"hash"`
	}
	err := s.stmts.events.SelectContext(ctx, &rows, roomID, account, after, limit)
	if err != nil {
		return nil, fmt.Errorf("events of room %s: %w", roomID, err)
	}
	if len(rows) == 0 {
		return nil, s.roomExists(ctx, account, roomID)
	}
	out := make([]room.Event, len(rows))
	for i, r := range rows {
		out[i] = room.Event{Room: r.Room, Seq: r.Seq, Type: r.Type, At: r.At.Time(), Data: json.RawMessage(r.Data), Hash: r.Hash}
		if err := json.Unmarshal([]byte(r.Actor), &out[i].Actor); err != nil {
			return nil, fmt.Errorf("events of room %s: decode actor of event %d: %w", roomID, r.Seq, err)
		}
		if out[i].Origin, err = decodeOrigin(r.Origin); err != nil {
			return nil, fmt.Errorf("events of room %s: decode origin of event %d: %w", roomID, r.Seq, err)
		}
	}
	return out, nil
}

// encodeActorOrigin is how the events table keeps e's actor and origin.
func encodeActorOrigin(e room.Event) (actor, origin string, err error) {
	a, err := json.Marshal(e.Actor)
	if err != nil {
		return "", "", fmt.Errorf("room %s: encode actor of event %d: %w", e.Room, e.Seq, err)
	}
	if origin, err = encodeOrigin(e.Origin); err != nil {
		return "", "", fmt.Errorf("room %s: encode origin of event %d: %w", e.Room, e.Seq, err)
	}
	return string(a), origin, nil
}

// encodeOrigin is an event's origin as its column keeps it: JSON, or ”
// when the event has none (or an empty one).
func encodeOrigin(o *room.Origin) (string, error) {
	if o == nil || *o == (room.Origin{}) {
		return "", nil
	}
	b, err := json.Marshal(o)
	return string(b), err
}

// decodeOrigin reads what encodeOrigin wrote.
func decodeOrigin(s string) (*room.Origin, error) {
	if s == "" {
		return nil, nil
	}
	var o room.Origin
	if err := json.Unmarshal([]byte(s), &o); err != nil {
		return nil, err
	}
	return &o, nil
}
