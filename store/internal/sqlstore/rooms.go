package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Limits of listings.
const (
	// MaxEvents is the most events Events returns at once, and what it
	// returns when asked for no particular number.
	MaxEvents = 1000
	// DefaultRooms and MaxRooms bound ListRooms.
	DefaultRooms = 50
	MaxRooms     = 200
)

// CreateRoom implements store.Rooms. c.Events must number the room's log
// from 1, starting with room.created, and fold into a room of account.
func (s *DB) CreateRoom(ctx context.Context, account string, c store.Change) (room.State, error) {
	if len(c.Events) == 0 {
		return room.State{}, room.Errorf(room.KindInvalid, "a new room needs its %s event", room.TypeRoomCreated)
	}
	id := c.Events[0].Room
	if id == "" {
		return room.State{}, room.Errorf(room.KindInvalid, "the events of a new room have no room id")
	}
	evs, err := normalEvents(id, c.Events)
	if err != nil {
		return room.State{}, err
	}
	for i, e := range evs {
		if e.Seq != int64(i)+1 {
			return room.State{}, room.Errorf(room.KindInvalid, "room %s: a new room's events must be numbered from 1 without gaps; event %d has seq %d", id, i+1, e.Seq)
		}
	}
	st, err := room.Fold(evs)
	if err != nil {
		return room.State{}, invalidFold(id, err)
	}
	if st.Account != account {
		return room.State{}, room.Errorf(room.KindInvalid, "room %s belongs to account %q, not %q", id, st.Account, account)
	}
	if err := checkChange(account, id, c); err != nil {
		return room.State{}, err
	}
	state, err := json.Marshal(st)
	if err != nil {
		return room.State{}, fmt.Errorf("create room %s: encode state: %w", id, err)
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO rooms (id, account_id, agent_id, status, created_at, updated_at, seq, state, invite_status, search)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			id, account, st.Agent.ID, string(st.Status), ts(st.CreatedAt), ts(st.UpdatedAt), st.Seq, string(state), string(st.InviteStatus), searchKey(st.Customer))
		if s.isUnique(err) {
			return room.Errorf(room.KindConflict, "room %s already exists", id)
		}
		if err != nil {
			return err
		}
		if err := s.insertEvents(ctx, tx, evs); err != nil {
			return err
		}
		return s.writeLinksAndMessages(ctx, tx, account, id, evs, c)
	})
	if err != nil {
		return room.State{}, wrapInternal(err, "create room %s", id)
	}
	return st, nil
}

// Commit implements store.Rooms. c.Events must not be empty: a change
// without events has nothing to record it in the log, so it is refused
// with KindInvalid. So is a room.created event: it only ever starts a log,
// and folded later it would make the room over, even into another
// account's.
func (s *DB) Commit(ctx context.Context, account, roomID string, c store.Change) (room.State, error) {
	if len(c.Events) == 0 {
		return room.State{}, room.Errorf(room.KindInvalid, "room %s: a commit needs at least one event", roomID)
	}
	evs, err := appendable(roomID, c.Events)
	if err != nil {
		return room.State{}, err
	}
	if err := checkChange(account, roomID, c); err != nil {
		return room.State{}, err
	}
	var next room.State
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		h, err := s.lockHead(ctx, tx, account, roomID)
		if err != nil {
			return err
		}
		if next, err = s.appendEvents(ctx, tx, account, h, evs); err != nil {
			return err
		}
		return s.writeLinksAndMessages(ctx, tx, account, roomID, evs, c)
	})
	if err != nil {
		return room.State{}, wrapInternal(err, "commit room %s", roomID)
	}
	return next, nil
}

// headQuery reads a room's head; the dialect's RowLock ends it.
const headQuery = `SELECT seq, state FROM rooms WHERE id = $1 AND account_id = $2`

// head is a room as an append finds it: the seq of its last event and its
// state.
type head struct {
	Room  string
	Seq   int64
	State room.State
}

// lockHead reads the head of room roomID of account in tx and, where the
// dialect needs it, locks the room's row until tx ends, so that no other
// writer appends to the room or changes its presence meanwhile.
func (s *DB) lockHead(ctx context.Context, tx *sqlx.Tx, account, roomID string) (head, error) {
	var row struct {
		Seq   int64  `db:"seq"`
		State string `db:"state"`
	}
	err := tx.GetContext(ctx, &row, s.headQuery, roomID, account)
	if errors.Is(err, sql.ErrNoRows) {
		return head{}, roomNotFound(roomID)
	}
	if err != nil {
		return head{}, fmt.Errorf("read head: %w", err)
	}
	h := head{Room: roomID, Seq: row.Seq}
	if err := json.Unmarshal([]byte(row.State), &h.State); err != nil {
		return head{}, fmt.Errorf("decode state: %w", err)
	}
	return h, nil
}

// appendable returns evs as the store keeps them (normalEvents) if they
// may be appended to room roomID: room.created only ever starts a log.
func appendable(roomID string, evs []room.Event) ([]room.Event, error) {
	evs, err := normalEvents(roomID, evs)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		if e.Type == room.TypeRoomCreated {
			return nil, room.Errorf(room.KindInvalid, "room %s: %s is only ever a room's first event, not event %d", roomID, room.TypeRoomCreated, e.Seq)
		}
	}
	return evs, nil
}

// appendEvents is the one way events are appended to an existing room,
// whoever decided them: it checks that evs (not empty, made appendable)
// follow h with no gap, folds them into h's state, writes the room's row
// and inserts them into the log, and returns the new state. Events that do
// not follow the head are a seq conflict, and nothing is written.
func (s *DB) appendEvents(ctx context.Context, tx *sqlx.Tx, account string, h head, evs []room.Event) (room.State, error) {
	for i, e := range evs {
		if e.Seq != h.Seq+1+int64(i) {
			return room.State{}, seqConflict(h.Room, h.Seq, evs)
		}
	}
	next := h.State
	for _, e := range evs {
		var err error
		if next, err = room.Apply(next, e); err != nil {
			return room.State{}, invalidFold(h.Room, err)
		}
	}
	state, err := json.Marshal(next)
	if err != nil {
		return room.State{}, fmt.Errorf("encode state: %w", err)
	}
	// The update is guarded by the head read above: should another writer
	// have moved it meanwhile (the row is locked where the dialect needs
	// it, so this is a second line of defence), no row matches and nothing
	// is written.
	res, err := tx.ExecContext(ctx, `UPDATE rooms SET seq = $1, status = $2, agent_id = $3, updated_at = $4, state = $5, invite_status = $6, search = $7
		WHERE id = $8 AND account_id = $9 AND seq = $10`,
		next.Seq, string(next.Status), next.Agent.ID, ts(next.UpdatedAt), string(state), string(next.InviteStatus), searchKey(next.Customer), h.Room, account, h.Seq)
	if err != nil {
		return room.State{}, fmt.Errorf("update room: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return room.State{}, fmt.Errorf("update room: %w", err)
	} else if n != 1 {
		return room.State{}, seqConflict(h.Room, h.Seq, evs)
	}
	if err := s.insertEvents(ctx, tx, evs); err != nil {
		return room.State{}, err
	}
	return next, nil
}

// writeLinksAndMessages writes what goes with a room's new events evs (as
// the store keeps them): c's links, its revocations at the time of the
// first event, and its messages. The events are already written.
func (s *DB) writeLinksAndMessages(ctx context.Context, tx *sqlx.Tx, account, roomID string, evs []room.Event, c store.Change) error {
	for _, l := range c.Links {
		if err := s.insertLink(ctx, tx, l); err != nil {
			return err
		}
	}
	if len(c.RevokeLinks) > 0 {
		if err := revokeLinks(ctx, tx, account, roomID, c.RevokeLinks, evs[0].At); err != nil {
			return err
		}
	}
	for _, m := range c.Messages {
		if err := s.insertMessage(ctx, tx, m); err != nil {
			return err
		}
	}
	if c.Contact != nil {
		return s.useContact(ctx, tx, account, roomID, *c.Contact)
	}
	return nil
}

// insertEvents appends evs to the log. The log's primary key (room_id, seq)
// refuses a seq written twice: that is a seq conflict.
func (s *DB) insertEvents(ctx context.Context, tx *sqlx.Tx, evs []room.Event) error {
	for _, e := range evs {
		actor, err := json.Marshal(e.Actor)
		if err != nil {
			return fmt.Errorf("encode actor of event %d: %w", e.Seq, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO events (room_id, seq, type, at, actor, data) VALUES ($1, $2, $3, $4, $5, $6)`,
			e.Room, e.Seq, e.Type, ts(e.At), string(actor), string(e.Data))
		if s.isUnique(err) {
			return room.Coded(room.KindConflict, "seq_conflict", "room %s: event %d was already written; reload and retry", e.Room, e.Seq)
		}
		if err != nil {
			return fmt.Errorf("insert event %d: %w", e.Seq, err)
		}
	}
	return nil
}

// normalEvents returns copies of evs as the store keeps them: times in UTC
// to the microsecond, empty data as JSON null. It refuses events of another
// room and data that is not JSON.
func normalEvents(roomID string, evs []room.Event) ([]room.Event, error) {
	out := make([]room.Event, len(evs))
	for i, e := range evs {
		if e.Room != roomID {
			return nil, room.Errorf(room.KindInvalid, "event %d is of room %q, not %q", e.Seq, e.Room, roomID)
		}
		e.At = utc(e.At)
		if len(e.Data) == 0 {
			e.Data = json.RawMessage("null")
		} else if !json.Valid(e.Data) {
			return nil, room.Errorf(room.KindInvalid, "room %s: the data of event %d is not JSON", roomID, e.Seq)
		}
		out[i] = e
	}
	return out, nil
}

// checkChange refuses links and messages of another room or account.
func checkChange(account, roomID string, c store.Change) error {
	for _, l := range c.Links {
		if l.Account != account || l.Room != roomID {
			return room.Errorf(room.KindInvalid, "link %s is of room %q in account %q, not room %q in account %q", l.ID, l.Room, l.Account, roomID, account)
		}
	}
	for _, m := range c.Messages {
		if m.Account != account || (m.Room != "" && m.Room != roomID) {
			return room.Errorf(room.KindInvalid, "message %s is of room %q in account %q, not room %q in account %q", m.ID, m.Room, m.Account, roomID, account)
		}
	}
	return nil
}

func seqConflict(roomID string, head int64, evs []room.Event) error {
	return room.Coded(room.KindConflict, "seq_conflict", "room %s: events %d..%d do not follow the head %d; reload and retry",
		roomID, evs[0].Seq, evs[len(evs)-1].Seq, head)
}

// invalidFold turns an error of room.Apply into an application error: an
// event the fold refuses is a caller's mistake.
func invalidFold(roomID string, err error) error {
	var re *room.Error
	if errors.As(err, &re) {
		return err
	}
	return room.Errorf(room.KindInvalid, "room %s: %v", roomID, err)
}

// wrapInternal adds context to err unless it is an application error,
// which already says what it is about.
func wrapInternal(err error, format string, args ...any) error {
	var re *room.Error
	if errors.As(err, &re) {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// Room implements store.Rooms.
func (s *DB) Room(ctx context.Context, account, id string) (room.State, error) {
	var state string
	err := s.db.GetContext(ctx, &state, `SELECT state FROM rooms WHERE id = $1 AND account_id = $2`, id, account)
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

// ListRooms implements store.Rooms: newest first, by creation time then id.
// Limit defaults to DefaultRooms and is capped at MaxRooms.
func (s *DB) ListRooms(ctx context.Context, account string, q store.RoomQuery) ([]room.State, error) {
	limit := pageSize(q.Limit, DefaultRooms, MaxRooms)
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
	if p := searchPattern(q.Search); p != "" {
		where = append(where, "search LIKE "+arg(p)+` ESCAPE '\'`)
	}
	if q.Before != nil {
		at := ts(q.Before.CreatedAt)
		where = append(where, fmt.Sprintf("(created_at < %s OR (created_at = %s AND id < %s))", arg(at), arg(at), arg(q.Before.ID)))
	}
	query := `SELECT state FROM rooms WHERE ` + strings.Join(where, " AND ") + ` ORDER BY created_at DESC, id DESC LIMIT ` + arg(limit)
	return s.states(ctx, "list rooms of account "+account, query, args...)
}

// ChangedRooms implements store.Rooms. Limit defaults to DefaultRooms and
// is capped at MaxRooms.
func (s *DB) ChangedRooms(ctx context.Context, account string, q store.ChangeQuery) ([]room.State, error) {
	limit := pageSize(q.Limit, DefaultRooms, MaxRooms)
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

// pageSize is a listing's limit: def when none is asked, at most most.
func pageSize(asked, def, most int) int {
	if asked <= 0 {
		return def
	}
	return min(asked, most)
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

// RoomsInStatus implements store.Rooms. limit is capped at MaxRooms.
func (s *DB) RoomsInStatus(ctx context.Context, status room.Status, after string, limit int) ([]room.State, error) {
	if limit <= 0 {
		return nil, nil
	}
	var states []string
	err := s.db.SelectContext(ctx, &states, `SELECT state FROM rooms WHERE status = $1 AND id > $2 ORDER BY id LIMIT $3`, string(status), after, min(limit, MaxRooms))
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

// Events implements store.Rooms. A limit of 0 or less, or over MaxEvents,
// means MaxEvents.
func (s *DB) Events(ctx context.Context, account, roomID string, after int64, limit int) ([]room.Event, error) {
	if limit <= 0 || limit > MaxEvents {
		limit = MaxEvents
	}
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM rooms WHERE id = $1 AND account_id = $2`, roomID, account); err != nil {
		return nil, fmt.Errorf("events of room %s: %w", roomID, err)
	}
	if n == 0 {
		return nil, roomNotFound(roomID)
	}
	var rows []struct {
		Room  string    `db:"room_id"`
		Seq   int64     `db:"seq"`
		Type  string    `db:"type"`
		At    timestamp `db:"at"`
		Actor string    `db:"actor"`
		Data  string    `db:"data"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT room_id, seq, type, at, actor, data FROM events
		WHERE room_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, roomID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("events of room %s: %w", roomID, err)
	}
	out := make([]room.Event, len(rows))
	for i, r := range rows {
		out[i] = room.Event{Room: r.Room, Seq: r.Seq, Type: r.Type, At: r.At.Time(), Data: json.RawMessage(r.Data)}
		if err := json.Unmarshal([]byte(r.Actor), &out[i].Actor); err != nil {
			return nil, fmt.Errorf("events of room %s: decode actor of event %d: %w", roomID, r.Seq, err)
		}
	}
	return out, nil
}
