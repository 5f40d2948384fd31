package hub

import (
	"context"

	"github.com/tandemhq/tandem/room"
)

// AppendForTest appends one event of type typ to a room through the same
// path commands take (commit with retry, then publish). Tests use it to
// produce long logs quickly.
func (h *Hub) AppendForTest(ctx context.Context, account, roomID, typ string, data any) (room.State, error) {
	return h.commit(ctx, account, roomID, func(room.State) (plan, error) {
		return plan{drafts: []room.Draft{{Type: typ, Actor: room.System, Data: data}}}, nil
	})
}

// SlowClosesForTest is how many WebSockets were closed for not keeping up.
func (h *Hub) SlowClosesForTest() int64 { return h.stats.slowCloses.Load() }

// OpenConnsForTest is how many WebSockets are open.
func (h *Hub) OpenConnsForTest() int64 { return h.stats.conns.Load() }

// HeartbeatForTest runs one presence heartbeat now.
func (h *Hub) HeartbeatForTest() { h.heartbeat() }

// ReapForTest runs one round of the presence reaper now.
func (h *Hub) ReapForTest() { h.reap() }

// RemindDueForTest runs one reminder scan now and returns how many
// reminders it sent.
func (h *Hub) RemindDueForTest(ctx context.Context) int { return h.remindDue(ctx) }

// AppendAsForTest is AppendForTest with the event's actor.
func (h *Hub) AppendAsForTest(ctx context.Context, account, roomID, typ string, actor room.Actor, data any) (room.State, error) {
	return h.commit(ctx, account, roomID, func(room.State) (plan, error) {
		return plan{drafts: []room.Draft{{Type: typ, Actor: actor, Data: data}}}, nil
	})
}
