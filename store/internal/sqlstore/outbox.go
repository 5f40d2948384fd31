package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Limits of Messages. The outbox is listed in one page, not paged through
// by a client, so its bounds are the store's own, not shared ones.
const (
	DefaultMessages = 50
	MaxMessages     = 500
)

// messageRow is a row of messages.
type messageRow struct {
	ID        string         `db:"id"`
	Account   string         `db:"account_id"`
	Room      sql.NullString `db:"room_id"`
	Channel   string         `db:"channel"`
	To        string         `db:"to_addr"`
	Subject   string         `db:"subject"`
	Body      string         `db:"body"`
	Link      string         `db:"link"`
	LinkID    string         `db:"link_id"`
	CreatedAt timestamp      `db:"created_at"`
	Status    string         `db:"status"`
	Attempts  int            `db:"attempts"`
	SentAt    *timestamp     `db:"sent_at"`
	Error     string         `db:"error"`
	Provider  string         `db:"provider"`
	ProvID    string         `db:"provider_id"`
	// The attached file, if any: its name, type and SHA-256.
	AttName string `db:"attachment_name"`
	AttType string `db:"attachment_type"`
	AttSHA  string `db:"attachment_sha256"`
}

const messageColumns = `id, account_id, room_id, channel, to_addr, subject, body, link, link_id, created_at, status, attempts, sent_at, error, provider, provider_id,
	attachment_name, attachment_type, attachment_sha256`

func (r messageRow) message() store.Message {
	m := store.Message{ID: r.ID, Account: r.Account, Room: r.Room.String, Channel: room.Channel(r.Channel), To: r.To,
		Subject: r.Subject, Body: r.Body, Link: r.Link, LinkID: r.LinkID, CreatedAt: r.CreatedAt.Time(), Status: store.MessageStatus(r.Status),
		Attempts: r.Attempts, SentAt: r.SentAt.ptr(), Error: r.Error, Provider: r.Provider, ProviderID: r.ProvID}
	if r.AttSHA != "" {
		m.Attachment = &store.MessageAttachment{Name: r.AttName, ContentType: r.AttType, SHA256: r.AttSHA}
	}
	return m
}

// claimQueryFormat leases messages; %s is the dialect's ClaimLock. The
// messages are picked once, in a materialised CTE: as "id IN (SELECT …
// LIMIT n FOR UPDATE SKIP LOCKED)" PostgreSQL may plan a semi-join that
// runs the subquery again for each row it updates, and claim more than
// the limit. The outer WHERE repeats the conditions so that a row changed
// since the CTE read it is not claimed twice.
const claimQueryFormat = `WITH picked AS MATERIALIZED (
		SELECT id FROM messages
		WHERE status = 'pending' AND (claimed_until IS NULL OR claimed_until <= $2)
		ORDER BY created_at, id LIMIT $3 %s
	)
	UPDATE messages SET claimed_until = $1, attempts = attempts + 1
	WHERE id IN (SELECT id FROM picked) AND status = 'pending' AND (claimed_until IS NULL OR claimed_until <= $2)
	RETURNING ` + messageColumns

// execer is a database or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *DB) insertMessage(ctx context.Context, db execer, m store.Message) error {
	status := m.Status
	if status == "" {
		status = store.MessagePending
	}
	var att store.MessageAttachment
	if m.Attachment != nil {
		att = *m.Attachment
	}
	_, err := db.ExecContext(ctx, `INSERT INTO messages (`+messageColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		m.ID, m.Account, sql.NullString{String: m.Room, Valid: m.Room != ""}, string(m.Channel), m.To, m.Subject, m.Body, m.Link, m.LinkID,
		ts(m.CreatedAt), string(status), m.Attempts, tsp(m.SentAt), m.Error, m.Provider, m.ProviderID, att.Name, att.ContentType, att.SHA256)
	if s.isUnique(err) {
		return tandem.Errorf(tandem.KindConflict, "message %s already exists", m.ID)
	}
	if err != nil {
		return fmt.Errorf("insert message %s: %w", m.ID, err)
	}
	return nil
}

// EnqueueMessage implements store.Outbox.
func (s *DB) EnqueueMessage(ctx context.Context, m store.Message) error {
	return s.insertMessage(ctx, s.db, m)
}

// ClaimMessages implements store.Outbox. The messages come oldest first.
func (s *DB) ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]store.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	var rows []messageRow
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, s.claimQuery, ts(now.Add(lease)), ts(now), limit)
	})
	if err != nil {
		return nil, fmt.Errorf("claim messages: %w", err)
	}
	// RETURNING gives no order.
	slices.SortFunc(rows, func(a, b messageRow) int {
		return cmp.Or(a.CreatedAt.Time().Compare(b.CreatedAt.Time()), cmp.Compare(a.ID, b.ID))
	})
	out := make([]store.Message, len(rows))
	for i, r := range rows {
		out[i] = r.message()
	}
	return out, nil
}

// FinishMessage implements store.Outbox. A pending message keeps its lease,
// so it is retried when the lease runs out; o.Error is kept as its last
// error. The body and link are replaced where o gives them.
func (s *DB) FinishMessage(ctx context.Context, id string, o store.Outcome) error {
	var (
		res sql.Result
		err error
	)
	// The text and link to keep, or NULL to keep them as they are.
	body, link := sql.NullString{}, sql.NullString{}
	if o.Body != nil {
		body = sql.NullString{String: *o.Body, Valid: true}
	}
	if o.Link != nil {
		link = sql.NullString{String: *o.Link, Valid: true}
	}
	const keep = `body = COALESCE($1, body), link = COALESCE($2, link)`
	switch o.Status {
	case store.MessageSent:
		res, err = s.db.ExecContext(ctx, `UPDATE messages SET `+keep+`, status = $3, sent_at = $4, error = '', claimed_until = NULL, provider = $5, provider_id = $6 WHERE id = $7`,
			body, link, string(o.Status), ts(o.At), o.Provider, o.ProviderID, id)
		if s.isUnique(err) {
			return tandem.Errorf(tandem.KindConflict, "message %s: %s already has a message %s", id, o.Provider, o.ProviderID)
		}
	case store.MessageFailed:
		res, err = s.db.ExecContext(ctx, `UPDATE messages SET `+keep+`, status = $3, error = $4, claimed_until = NULL, provider = $5 WHERE id = $6`,
			body, link, string(o.Status), o.Error, o.Provider, id)
	case store.MessagePending:
		res, err = s.db.ExecContext(ctx, `UPDATE messages SET `+keep+`, status = $3, error = $4 WHERE id = $5`, body, link, string(o.Status), o.Error, id)
	default:
		return tandem.Errorf(tandem.KindInvalid, "unknown message status %q", o.Status)
	}
	if err != nil {
		return fmt.Errorf("finish message %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("finish message %s: %w", id, err)
	} else if n == 0 {
		return tandem.Errorf(tandem.KindNotFound, "message %s not found", id)
	}
	return nil
}

// MessageByProvider implements store.Outbox.
func (s *DB) MessageByProvider(ctx context.Context, provider, providerID string) (store.Message, error) {
	if provider == "" || providerID == "" {
		return store.Message{}, tandem.Errorf(tandem.KindNotFound, "no message without a provider id")
	}
	var r messageRow
	err := s.db.GetContext(ctx, &r, `SELECT `+messageColumns+` FROM messages WHERE provider = $1 AND provider_id = $2 AND provider_id <> ''`, provider, providerID) // the last term lets SQLite use the partial index
	if errors.Is(err, sql.ErrNoRows) {
		return store.Message{}, tandem.Errorf(tandem.KindNotFound, "no %s message %s", provider, providerID)
	}
	if err != nil {
		return store.Message{}, fmt.Errorf("message by provider: %w", err)
	}
	return r.message(), nil
}

// Messages implements store.Outbox: newest first. A limit of 0 or less
// means DefaultMessages; it is capped at MaxMessages.
func (s *DB) Messages(ctx context.Context, account string, limit int) ([]store.Message, error) {
	limit = tandem.PageSize(limit, DefaultMessages, MaxMessages)
	var rows []messageRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+messageColumns+` FROM messages WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, account, limit)
	if err != nil {
		return nil, fmt.Errorf("messages of account %s: %w", account, err)
	}
	out := make([]store.Message, len(rows))
	for i, r := range rows {
		out[i] = r.message()
	}
	return out, nil
}
