package sqlstore

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// writeTx is a transaction of Commit's, with the hot statements bound to
// it once each. database/sql's Tx.StmtContext makes a new statement, and
// registers it with the prepared one, at every call: a batch of a hundred
// changes did it three hundred times.
type writeTx struct {
	*sqlx.Tx
	bound map[*sqlx.Stmt]*sqlx.Stmt
}

func newWriteTx(tx *sqlx.Tx) *writeTx { return &writeTx{Tx: tx} }

// stmt returns the prepared statement st bound to the transaction.
func (t *writeTx) stmt(ctx context.Context, st *sqlx.Stmt) *sqlx.Stmt {
	if b := t.bound[st]; b != nil {
		return b
	}
	if t.bound == nil {
		t.bound = make(map[*sqlx.Stmt]*sqlx.Stmt, 4)
	}
	b := t.StmtxContext(ctx, st)
	t.bound[st] = b
	return b
}
