package api

import (
	"context"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// AppendForTest appends one event of type typ to a room through the same
// path commands take (the commit path, with retry, then publish). Tests
// use it to produce long logs quickly.
func (s *Server) AppendForTest(ctx context.Context, account, roomID, typ string, data any) (room.State, error) {
	return s.AppendAsForTest(ctx, account, roomID, typ, room.System, data)
}

// AppendAsForTest is AppendForTest with the event's actor.
func (s *Server) AppendAsForTest(ctx context.Context, account, roomID, typ string, actor room.Actor, data any) (room.State, error) {
	return s.app.Commit(ctx, account, roomID, func(room.State) (app.Plan, error) {
		return app.Plan{Drafts: []room.Draft{{Type: typ, Actor: actor, Data: data}}}, nil
	})
}

// SlowClosesForTest is how many WebSockets were closed for not keeping up.
func (s *Server) SlowClosesForTest() int64 { return s.core.SlowCloses() }

// OpenConnsForTest is how many WebSockets are open.
func (s *Server) OpenConnsForTest() int64 { return s.core.OpenConns() }

// HeartbeatForTest runs one presence heartbeat now.
func (s *Server) HeartbeatForTest() { s.app.Heartbeat(context.Background(), s.core) }

// ReapForTest runs one round of the presence reaper now.
func (s *Server) ReapForTest() { s.app.Reap(context.Background()) }

// RemindDueForTest runs one reminder scan now and returns how many
// reminders it sent.
func (s *Server) RemindDueForTest(ctx context.Context) int { return s.app.RemindDue(ctx) }

// RouterForTest is the instance's router, so a test can walk every route
// it serves.
func (s *Server) RouterForTest() *mux.Router { return s.router }

// SealDueForTest runs one sealing round now and returns how many seals
// it made.
func (s *Server) SealDueForTest(ctx context.Context) int { return s.app.SealDue(ctx) }

// DocumentTypeForTest looks a document type up as a document request
// does.
func (s *Server) DocumentTypeForTest(ctx context.Context, account, id string) (store.DocumentType, error) {
	return s.app.DocumentType(ctx, account, id)
}
