package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// The hot statements: those of every request (a session, a room pass or
// a link looked up by its token), of every read of a room or of its log,
// and of every append. They are prepared once per store, so the database
// parses and plans them once per connection rather than at every call;
// database/sql prepares them again, lazily, on each connection of the
// pool that runs them, which costs little as long as the pool keeps its
// connections.
const (
	roomQuery       = `SELECT state FROM rooms WHERE id = $1 AND account_id = $2`
	roomExistsQuery = `SELECT COUNT(*) FROM rooms WHERE id = $1 AND account_id = $2`
	// eventsQuery reads a page of a room's log, if the room is the
	// account's: the EXISTS is the page's isolation, so that a page with
	// events needs no query of its own to find its room. It does not
	// depend on the event, so both databases evaluate it once a page
	// (PostgreSQL's one-time filter), not once an event as a join might.
	eventsQuery = `SELECT room_id, seq, type, at, actor, origin, data, hash FROM events WHERE room_id = $1 AND ` + roomOfAccount + ` AND seq > $3 ORDER BY seq LIMIT $4`
	// eventFramesQuery is eventsQuery without the room, which EventsJSON
	// knows: a column less to read for each event of a resume.
	eventFramesQuery = `SELECT seq, type, at, actor, origin, data, hash FROM events WHERE room_id = $1 AND ` + roomOfAccount + ` AND seq > $3 ORDER BY seq LIMIT $4`
	// roomOfAccount holds when room $1 is account $2's.
	roomOfAccount    = `EXISTS (SELECT 1 FROM rooms WHERE id = $1 AND account_id = $2)`
	signInQuery      = `SELECT token_hash, account_id, user_id, created_at, expires_at FROM auth_sessions WHERE token_hash = $1 AND expires_at > $2`
	roomPassQuery    = `SELECT token_hash, account_id, room_id, link_id, created_at, expires_at FROM room_sessions WHERE token_hash = $1 AND expires_at > $2`
	linkByTokenQuery = `SELECT ` + linkColumns + ` FROM room_links WHERE token_hash = $1`
	linkQuery        = `SELECT ` + linkColumns + ` FROM room_links WHERE id = $1 AND account_id = $2`
	updateRoomQuery  = `UPDATE rooms SET seq = $1, updated_at = $2, state = $3 WHERE id = $4 AND account_id = $5 AND seq = $6`
	// updateRoomColumnsQuery writes the columns of a room that rarely
	// change, only where they do: on SQLite an UPDATE that names an
	// indexed column rewrites its index entries even when its value stays.
	updateRoomColumnsQuery = `UPDATE rooms SET status = $1, agent_id = $2, invite_status = $3, search = $4
		WHERE id = $5 AND account_id = $6 AND (status <> $1 OR agent_id <> $2 OR invite_status <> $3 OR search <> $4)`
	insertEventQuery = `INSERT INTO events (room_id, seq, type, at, actor, origin, data, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
)

// statements are the hot statements, prepared on the store's database.
// The set-based append is only there when the dialect has arrays.
type statements struct {
	room, roomExists, events      *sqlx.Stmt
	eventFrames                   *sqlx.Stmt
	signIn, roomPass              *sqlx.Stmt
	linkByToken, link             *sqlx.Stmt
	head, updateRoom, insertEvent *sqlx.Stmt
	updateRoomColumns             *sqlx.Stmt
	appendSet                     *sqlx.Stmt
	all                           []*sqlx.Stmt
}

// prepareStatements prepares the hot statements of dialect d on db.
func prepareStatements(ctx context.Context, db *sqlx.DB, d Dialect) (*statements, error) {
	type statement struct {
		to    **sqlx.Stmt
		query string
	}
	st := &statements{}
	todo := []statement{
		{&st.room, roomQuery},
		{&st.roomExists, roomExistsQuery},
		{&st.events, eventsQuery},
		{&st.eventFrames, eventFramesQuery},
		{&st.signIn, signInQuery},
		{&st.roomPass, roomPassQuery},
		{&st.linkByToken, linkByTokenQuery},
		{&st.link, linkQuery},
		{&st.head, headQuery + " " + d.RowLock},
		{&st.updateRoom, updateRoomQuery},
		{&st.updateRoomColumns, updateRoomColumnsQuery},
		{&st.insertEvent, insertEventQuery},
	}
	if d.Array != nil {
		todo = append(todo, statement{&st.appendSet, appendQuery})
	}
	for _, p := range todo {
		stmt, err := db.PreparexContext(ctx, p.query)
		if err != nil {
			_ = st.close()
			return nil, fmt.Errorf("prepare %q: %w", p.query, err)
		}
		*p.to = stmt
		st.all = append(st.all, stmt)
	}
	return st, nil
}

// close closes every prepared statement.
func (st *statements) close() error {
	var errs []error
	for _, stmt := range st.all {
		errs = append(errs, stmt.Close())
	}
	return errors.Join(errs...)
}
