package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

type contactRow struct {
	ID         string    `db:"id"`
	Account    string    `db:"account_id"`
	Owner      string    `db:"owner_id"`
	Team       string    `db:"team"`
	Name       string    `db:"name"`
	Phone      string    `db:"phone"`
	Email      string    `db:"email"`
	CreatedAt  timestamp `db:"created_at"`
	UpdatedAt  timestamp `db:"updated_at"`
	LastUsedAt timestamp `db:"last_used_at"`
}

const contactColumns = `id, account_id, owner_id, team, name, phone, email, created_at, updated_at, last_used_at`

func (r contactRow) contact() tandem.Contact {
	return tandem.Contact{ID: r.ID, Account: r.Account, Owner: r.Owner, Team: r.Team, Name: r.Name, Phone: r.Phone, Email: r.Email,
		CreatedAt: r.CreatedAt.Time(), UpdatedAt: r.UpdatedAt.Time(), LastUsedAt: r.LastUsedAt.Time()}
}

// emailKey is an email as contacts are matched by: case-blind.
func emailKey(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// useContact records in tx that room roomID invites cu: the account's
// contact with the same phone (or else the same email) is updated with the
// name, phone and email given, each where no other contact has it, or a
// new contact is made; it becomes the room's contact. A matched contact
// outside cu.Editable is only marked used: its details stay its owner's.
func (s *DB) useContact(ctx context.Context, tx *sqlx.Tx, account, roomID string, cu store.ContactUse) error {
	email := emailKey(cu.Email)
	if cu.Phone == "" && email == "" {
		return nil
	}
	find := func() (string, error) {
		var id string
		err := tx.GetContext(ctx, &id, `SELECT id FROM contacts WHERE account_id = $1 AND ((phone <> '' AND phone = $2) OR (email <> '' AND email = $3))
			ORDER BY CASE WHEN phone = $2 THEN 0 ELSE 1 END, id LIMIT 1`, account, cu.Phone, email)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		return id, err
	}
	id, err := find()
	if err != nil {
		return fmt.Errorf("find contact: %w", err)
	}
	if id == "" {
		id = room.NewID("ct")
		res, err := tx.ExecContext(ctx, `INSERT INTO contacts (`+contactColumns+`, name_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8, $9)
			ON CONFLICT DO NOTHING`, id, account, cu.Owner, cu.Team, cu.Name, cu.Phone, email, ts(cu.At), strings.ToLower(cu.Name))
		if err != nil {
			return fmt.Errorf("insert contact: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("insert contact: %w", err)
		} else if n == 0 { // made meanwhile by another transaction
			if id, err = find(); err != nil {
				return fmt.Errorf("find contact after a conflict: %w", err)
			} else if id == "" {
				return errors.New("a contact conflicts with another that cannot be found")
			}
		}
	}
	var owner struct {
		Owner string `db:"owner_id"`
		Team  string `db:"team"`
	}
	if err := tx.GetContext(ctx, &owner, `SELECT owner_id, team FROM contacts WHERE account_id = $1 AND id = $2`, account, id); err != nil {
		return fmt.Errorf("read contact %s: %w", id, err)
	}
	if cu.Editable.Holds(owner.Owner, owner.Team) {
		if err := s.setContact(ctx, tx, account, id, cu.Name, cu.Phone, email, ts(cu.At), true); err != nil {
			return err
		}
	} else if _, err := tx.ExecContext(ctx, `UPDATE contacts SET last_used_at = $1 WHERE account_id = $2 AND id = $3`, ts(cu.At), account, id); err != nil {
		return fmt.Errorf("use contact %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE rooms SET contact_id = $1 WHERE id = $2 AND account_id = $3`, id, roomID, account); err != nil {
		return fmt.Errorf("link room to contact: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO contact_rooms (contact_id, room_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, roomID); err != nil {
		return fmt.Errorf("link room to contact: %w", err)
	}
	return nil
}

// setContact writes a contact's name, and its phone and email where given
// and no other contact of the account has them; used marks it used. Should
// a concurrent transaction take the phone or email between the check and
// the write, the contact keeps its own and only the name changes: the
// write runs under a savepoint, since a failed statement would otherwise
// abort the whole transaction on PostgreSQL.
func (s *DB) setContact(ctx context.Context, tx *sqlx.Tx, account, id, name, phone, email string, at timestamp, used bool) error {
	last := ""
	if used {
		last = `, last_used_at = $2`
	}
	q := `UPDATE contacts SET name = $1, name_key = $7, updated_at = $2` + last + `,
		phone = CASE WHEN $3 <> '' AND NOT EXISTS (SELECT 1 FROM contacts o WHERE o.account_id = $5 AND o.phone = $3 AND o.id <> $6) THEN $3 ELSE phone END,
		email = CASE WHEN $4 <> '' AND NOT EXISTS (SELECT 1 FROM contacts o WHERE o.account_id = $5 AND o.email = $4 AND o.id <> $6) THEN $4 ELSE email END
		WHERE account_id = $5 AND id = $6`
	if _, err := tx.ExecContext(ctx, `SAVEPOINT set_contact`); err != nil {
		return fmt.Errorf("update contact %s: %w", id, err)
	}
	_, err := tx.ExecContext(ctx, q, name, at, phone, email, account, id, strings.ToLower(name))
	if s.isUnique(err) {
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT set_contact`); err != nil {
			return fmt.Errorf("update contact %s: %w", id, err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE contacts SET name = $1, name_key = $2, updated_at = $3`+strings.ReplaceAll(last, "$2", "$3")+` WHERE account_id = $4 AND id = $5`,
			name, strings.ToLower(name), at, account, id)
		if err != nil {
			return fmt.Errorf("update contact %s: %w", id, err)
		}
	} else if err != nil {
		return fmt.Errorf("update contact %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT set_contact`); err != nil {
		return fmt.Errorf("update contact %s: %w", id, err)
	}
	return nil
}

// Contacts implements store.Contacts. Limit defaults to
// tandem.DefaultContactsPage and is capped at tandem.MaxContactsPage.
func (s *DB) Contacts(ctx context.Context, account string, q store.ContactQuery) ([]tandem.Contact, error) {
	limit := tandem.PageSize(q.Limit, tandem.DefaultContactsPage, tandem.MaxContactsPage)
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where := []string{"account_id = " + arg(account)}
	if q.Owner != "" {
		where = append(where, "owner_id = "+arg(q.Owner))
	}
	if q.Team != nil {
		where = append(where, "team = "+arg(*q.Team))
	}
	if term := strings.TrimSpace(q.Search); term != "" {
		like := "%" + likeEscape(strings.ToLower(term)) + "%"
		or := []string{`name_key LIKE ` + arg(like) + ` ESCAPE '\'`, `email LIKE ` + arg(like) + ` ESCAPE '\'`}
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, term)
		if len(digits) >= 3 {
			or = append(or, `phone LIKE `+arg("%"+digits+"%"))
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	var rows []contactRow
	query := `SELECT ` + contactColumns + ` FROM contacts WHERE ` + strings.Join(where, " AND ") + ` ORDER BY last_used_at DESC, id LIMIT ` + arg(limit)
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("contacts of account %s: %w", account, err)
	}
	out := make([]tandem.Contact, len(rows))
	for i, r := range rows {
		out[i] = r.contact()
	}
	return out, nil
}

// likeEscape escapes LIKE's wildcards with a backslash.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Contact implements store.Contacts.
func (s *DB) Contact(ctx context.Context, account, id string) (tandem.Contact, error) {
	var r contactRow
	err := s.db.GetContext(ctx, &r, `SELECT `+contactColumns+` FROM contacts WHERE account_id = $1 AND id = $2`, account, id)
	if errors.Is(err, sql.ErrNoRows) {
		return tandem.Contact{}, tandem.Coded(tandem.KindNotFound, "contact_not_found", "no contact %s in your account", id)
	}
	if err != nil {
		return tandem.Contact{}, fmt.Errorf("get contact %s: %w", id, err)
	}
	return r.contact(), nil
}

// UpdateContact implements store.Contacts.
func (s *DB) UpdateContact(ctx context.Context, account string, c tandem.Contact) (tandem.Contact, error) {
	email := emailKey(c.Email)
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM contacts WHERE account_id = $1 AND id <> $2 AND ((phone <> '' AND phone = $3) OR (email <> '' AND email = $4))`,
			account, c.ID, c.Phone, email); err != nil {
			return err
		}
		if n > 0 {
			return tandem.Coded(tandem.KindConflict, "contact_exists", "another contact has this phone number or email")
		}
		res, err := tx.ExecContext(ctx, `UPDATE contacts SET name = $1, name_key = $2, phone = $3, email = $4, updated_at = $5 WHERE account_id = $6 AND id = $7`,
			c.Name, strings.ToLower(c.Name), c.Phone, email, ts(c.UpdatedAt), account, c.ID)
		if s.isUnique(err) {
			return tandem.Coded(tandem.KindConflict, "contact_exists", "another contact has this phone number or email")
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return tandem.Coded(tandem.KindNotFound, "contact_not_found", "no contact %s in your account", c.ID)
		}
		return nil
	})
	if err != nil {
		return tandem.Contact{}, wrapInternal(err, "update contact %s", c.ID)
	}
	return s.Contact(ctx, account, c.ID)
}

// ContactRooms implements store.Contacts.
func (s *DB) ContactRooms(ctx context.Context, account, id string) ([]string, error) {
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, `SELECT r.id FROM contact_rooms cr JOIN rooms r ON r.id = cr.room_id
		WHERE cr.contact_id = $1 AND r.account_id = $2 ORDER BY r.id`, id, account); err != nil {
		return nil, fmt.Errorf("rooms of contact %s: %w", id, err)
	}
	return ids, nil
}

// DeleteContact implements store.Contacts.
func (s *DB) DeleteContact(ctx context.Context, account, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM contacts WHERE account_id = $1 AND id = $2`, account, id)
	if err != nil {
		return fmt.Errorf("delete contact %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete contact %s: %w", id, err)
	} else if n == 0 {
		return tandem.Coded(tandem.KindNotFound, "contact_not_found", "no contact %s in your account", id)
	}
	return nil
}
