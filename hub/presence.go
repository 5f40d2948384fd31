package hub

import (
	"context"
	"sync"
	"time"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Presence across instances.
//
// Each instance counts its own open connections per room participant
// (presence below). When a participant's first connection on this instance
// opens, the instance takes a presence row in the store; when its last one
// closes, it releases the row. The store decides, with the room locked,
// whether that changes anything the room should record: participant.joined
// when the first instance anywhere takes the participant, participant.left
// when the last one releases it. So a customer with tabs on two instances
// is one participant, and the log alternates joined/left whatever the
// interleaving.
//
// Rows expire unless the instance's heartbeat extends them. An instance
// that dies without saying goodbye stops its heartbeat; within PresenceTTL
// plus one reaper round, another instance (or this one after a restart)
// releases its rows and the customer is recorded as left with reason
// "lost". No room keeps showing a ghost "connected".

// presence counts this instance's open connections per room participant.
type presence struct {
	mu    sync.Mutex
	rooms map[string]*roomPresence
}

type roomPresence struct {
	// mu serialises the decisions and store writes of one room on this
	// instance, so a leave and a join racing on two tabs come out in the
	// order they happened.
	mu      sync.Mutex
	account string
	counts  map[string]int
	clients map[string]string // participant → client description of its first connection
	refs    int
}

func newPresence() *presence { return &presence{rooms: map[string]*roomPresence{}} }

// lock returns the room's presence, locked, and holds a reference to it;
// unlock releases both.
func (p *presence) lock(account, roomID string) *roomPresence {
	p.mu.Lock()
	rp := p.rooms[roomID]
	if rp == nil {
		rp = &roomPresence{account: account, counts: map[string]int{}, clients: map[string]string{}}
		p.rooms[roomID] = rp
	}
	rp.refs++
	p.mu.Unlock()
	rp.mu.Lock()
	return rp
}

func (p *presence) unlock(roomID string, rp *roomPresence) {
	rp.mu.Unlock()
	p.mu.Lock()
	rp.refs--
	if rp.refs == 0 && len(rp.counts) == 0 {
		delete(p.rooms, roomID)
	}
	p.mu.Unlock()
}

// held is one participant this instance holds in a room.
type held struct {
	account, room, participant, client string
}

// all lists the participants this instance holds.
func (p *presence) all() []held {
	p.mu.Lock()
	rooms := make(map[string]*roomPresence, len(p.rooms))
	for id, rp := range p.rooms {
		rooms[id] = rp
	}
	p.mu.Unlock()
	var out []held
	for id, rp := range rooms {
		rp.mu.Lock()
		for part := range rp.counts {
			out = append(out, held{account: rp.account, room: id, participant: part, client: rp.clients[part]})
		}
		rp.mu.Unlock()
	}
	return out
}

// enter counts a connection of participant and, if it is the first one on
// this instance, takes the participant's presence in the store.
func (h *Hub) enter(ctx context.Context, account, roomID, participant, client string) {
	rp := h.presence.lock(account, roomID)
	defer h.presence.unlock(roomID, rp)
	rp.counts[participant]++
	if rp.counts[participant] > 1 {
		return
	}
	rp.clients[participant] = client
	if err := h.hold(ctx, account, roomID, participant, client); err != nil {
		// The connection stays: the heartbeat finds the row missing and
		// takes it again once the store answers.
		h.log.Error().Err(err).Str("room", roomID).Msg("record participant joined")
	}
}

// exit uncounts a connection and, if it was the participant's last one on
// this instance, releases its presence: reason says why ("closed",
// "shutdown").
func (h *Hub) exit(account, roomID, participant, reason string) {
	rp := h.presence.lock(account, roomID)
	defer h.presence.unlock(roomID, rp)
	rp.counts[participant]--
	if rp.counts[participant] > 0 {
		return
	}
	delete(rp.counts, participant)
	delete(rp.clients, participant)
	// The connection's context is over; the record must still be made.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch := store.PresenceChange{Instance: h.instance, Participant: participant, At: h.now()}
	if err := h.changePresence(ctx, account, roomID, ch, "", reason); err != nil {
		// The row expires and a reaper records the leave.
		h.log.Error().Err(err).Str("room", roomID).Msg("record participant left")
	}
}

// hold takes (or renews) this instance's presence row for participant.
func (h *Hub) hold(ctx context.Context, account, roomID, participant, client string) error {
	now := h.now()
	ch := store.PresenceChange{Instance: h.instance, Participant: participant, Hold: true, At: now, ExpiresAt: now.Add(h.cfg.PresenceTTL)}
	return h.changePresence(ctx, account, roomID, ch, client, "")
}

// changePresence applies ch in the store, records joined or left if the
// room's presence changed because of it, and publishes what was recorded.
func (h *Hub) changePresence(ctx context.Context, account, roomID string, ch store.PresenceChange, client, reason string) error {
	_, evs, err := h.store.ChangePresence(ctx, account, roomID, ch, func(s room.State, holders int) ([]room.Event, error) {
		var ds []room.Draft
		if holders > 0 {
			ds = room.Join(s, ch.Participant, room.RoleCustomer, client)
		} else {
			ds = room.Leave(s, ch.Participant, reason)
		}
		if len(ds) == 0 {
			return nil, nil
		}
		return room.Seal(roomID, s.Seq, ch.At, ds)
	})
	if err != nil {
		return err
	}
	if len(evs) > 0 {
		h.published(account, evs, false)
	}
	return nil
}

// presenceLoop is the instance's heartbeat and reaper: it extends this
// instance's presence rows, takes again any a reaper released while the
// store was out of reach, and releases the rows of instances that died.
func (h *Hub) presenceLoop() {
	defer h.bg.Done()
	t := time.NewTicker(h.cfg.PresenceTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
			h.heartbeat()
			h.reap()
		}
	}
}

func (h *Hub) heartbeat() {
	ctx, cancel := context.WithTimeout(h.ctx, h.cfg.PresenceTTL/3)
	defer cancel()
	mine := h.presence.all()
	n, err := h.store.TouchPresence(ctx, h.instance, h.now().Add(h.cfg.PresenceTTL))
	if err != nil {
		h.log.Warn().Err(err).Msg("presence heartbeat")
		return
	}
	if n >= len(mine) {
		return
	}
	// Some rows are gone (reaped while this instance could not reach the
	// store, or never written): take them again. Holding a held row only
	// extends it.
	for _, p := range mine {
		rp := h.presence.lock(p.account, p.room)
		if rp.counts[p.participant] > 0 {
			if err := h.hold(ctx, p.account, p.room, p.participant, p.client); err != nil {
				h.log.Warn().Err(err).Str("room", p.room).Msg("presence: take again")
			}
		}
		h.presence.unlock(p.room, rp)
	}
}

// reap releases presence rows whose instance stopped its heartbeat.
func (h *Hub) reap() {
	ctx, cancel := context.WithTimeout(h.ctx, h.cfg.PresenceTTL/3)
	defer cancel()
	rows, err := h.store.ExpiredPresence(ctx, h.now(), 200)
	if err != nil {
		h.log.Warn().Err(err).Msg("presence: list expired")
		return
	}
	for _, r := range rows {
		ch := store.PresenceChange{Instance: r.Instance, Participant: r.Participant, At: h.now(), OnlyIfExpired: true}
		if err := h.changePresence(ctx, r.Account, r.Room, ch, "", "lost"); err != nil {
			h.log.Warn().Err(err).Str("room", r.Room).Msg("presence: release expired")
			continue
		}
		h.log.Info().Str("room", r.Room).Str("instance", r.Instance).Msg("presence: released the participant of an instance that stopped answering")
	}
}
