package postgres

import "database/sql"

// PoolStatsForTest reports the pool's connections: how many are open, in
// use and idle, and how many were closed for being idle or old.
func (s *Store) PoolStatsForTest() sql.DBStats { return s.db.Stats() }
