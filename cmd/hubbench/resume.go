package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

// resumeReport is what a -resume-events run found: how long a subscriber
// that missed every event of a room takes to receive them all when it
// connects with since=0. The JSON field names are stable, like report's.
type resumeReport struct {
	WriteHub string `json:"write_hub"`   // where the events were written
	ReadHub  string `json:"read_hub"`    // where they were read: another instance when there are several
	Events   int    `json:"events"`      // written to each room
	Rooms    int    `json:"rooms"`       // rooms written to
	Asked    int    `json:"rooms_asked"` // rooms to write to (-resume-rooms): a run that wrote fewer failed
	Repeat   int    `json:"repeat"`      // reads of each room
	Reads    int    `json:"reads"`       // reads that reached the last event

	// Time is from the dial of the WebSocket to the arrival of the room's
	// last event, one sample a read.
	Time latencySummary `json:"time"`

	Lost        int64 `json:"lost"`
	Duplicated  int64 `json:"duplicated"`
	OutOfOrder  int64 `json:"out_of_order"`
	Undelivered int64 `json:"undelivered"` // written events whose ref a read never saw

	Interrupted bool             `json:"interrupted"`
	Errors      map[string]int64 `json:"errors"`
	OK          bool             `json:"ok"`
}

// resumeRead is one read of a room from its start.
type resumeRead struct {
	took    time.Duration // dial → the last event
	check   seqChecker
	refs    map[uint64]bool // this run's refs seen
	reached bool            // the last event arrived
}

// runResume writes -resume-events events to each of -resume-rooms new
// rooms, then reads each room from its start -resume-repeat times, one
// read at a time so that the reads do not share the hub. The events are
// written by the agent: a customer's writes are limited (120 a minute by
// default), and a hub built before that limit could be raised must be
// measured too.
func runResume(ctx context.Context, cfg config, stderr io.Writer) (*resumeReport, error) {
	b := newBench(ctx, cfg, stderr)
	defer b.tr.CloseIdleConnections()
	defer b.subCancel()
	if err := b.login(ctx); err != nil {
		return nil, err
	}
	defer b.logout()
	r := &resumeReport{
		WriteHub: cfg.Hubs[0], ReadHub: cfg.Hubs[len(cfg.Hubs)-1],
		Events: cfg.ResumeEvents, Repeat: cfg.ResumeRepeat,
	}
	writer, reader := b.agents[0], b.agents[len(b.agents)-1]

	// Write the rooms' events, the rooms side by side.
	ids := make([]string, cfg.ResumeRooms)
	refs := make([][]uint64, cfg.ResumeRooms)
	parallel(ctx, cfg.Setup, cfg.ResumeRooms, func(i int) {
		ids[i], refs[i] = b.writeRoom(ctx, writer)
	})
	var rooms []int
	for i, id := range ids {
		if id != "" && len(refs[i]) == cfg.ResumeEvents {
			rooms = append(rooms, i)
		}
	}
	r.Rooms, r.Asked = len(rooms), cfg.ResumeRooms
	if !cfg.Quiet {
		b.logf("hubbench: wrote %d events to each of %d rooms; reading each %d times from since=0", cfg.ResumeEvents, len(rooms), cfg.ResumeRepeat)
	}

	var times latencies
	for rep := 0; rep < cfg.ResumeRepeat && ctx.Err() == nil; rep++ {
		for _, i := range rooms {
			if ctx.Err() != nil {
				break
			}
			qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			st, err := reader.Room(qctx, ids[i])
			cancel()
			if err != nil {
				b.errs.add("room", err)
				continue
			}
			rd, err := b.readRoom(ctx, r.ReadHub, reader.Token(), ids[i], st.Seq)
			if err != nil {
				b.errs.add("read", err)
			}
			if rd.reached {
				r.Reads++
				times.add(rd.took)
			}
			r.Duplicated += rd.check.duplicated
			r.OutOfOrder += rd.check.outOfOrder
			r.Lost += rd.check.lost(st.Seq)
			for _, id := range refs[i] {
				if !rd.refs[id] {
					r.Undelivered++
				}
			}
		}
	}
	r.Time = times.summary()
	r.Interrupted = ctx.Err() != nil
	r.Errors = b.errs.snapshot()
	r.OK = r.Rooms == r.Asked && r.Reads > 0 && r.Reads == r.Rooms*r.Repeat && r.Lost == 0 && r.Duplicated == 0 && r.OutOfOrder == 0 && r.Undelivered == 0

	if !cfg.KeepRooms {
		cctx, cancel := context.WithTimeout(b.base, time.Minute)
		defer cancel()
		for _, id := range ids {
			if id != "" {
				_, _ = writer.CloseRoom(cctx, id, "hubbench finished")
			}
		}
	}
	return r, nil
}

// writeRoom creates a room (planned: no invitation, so no event but
// those written here follows) and writes -resume-events activities to it,
// one after another, each with a ref of this run. It returns the room and
// the ids of the refs written.
func (b *bench) writeRoom(ctx context.Context, agent *client.Client) (string, []uint64) {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	s, err := agent.CreateRoom(cctx, client.CreateRoom{
		Mode: room.ModePreplan, Channel: room.ChannelSMS,
		Customer: room.Customer{Name: "Bench Customer", Phone: "+14155550134"},
	})
	cancel()
	if err != nil {
		b.errs.add("create room", err)
		return "", nil
	}
	var ids []uint64
	for range b.cfg.ResumeEvents {
		if ctx.Err() != nil {
			break
		}
		id := b.nextRef.Add(1)
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err := agent.ReportActivity(wctx, s.ID, "viewing", b.refPrefix+strconv.FormatUint(id, 10))
		cancel()
		if err != nil {
			b.errs.add("activity", err)
			break
		}
		ids = append(ids, id)
	}
	return s.ID, ids
}

// readRoom opens the room's WebSocket on hub with since=0 and reads until
// the event of seq final, timing from the dial. It speaks the protocol
// itself rather than through client.Subscription, whose queue and
// reconnection would be part of the time.
func (b *bench) readRoom(ctx context.Context, hub, token, roomID string, final int64) (resumeRead, error) {
	rd := resumeRead{check: newSeqChecker(0), refs: map[uint64]bool{}}
	u, err := url.Parse(hub + "/api/v1/rooms/" + url.PathEscape(roomID) + "/ws?since=0")
	if err != nil {
		return rd, err
	}
	u.Scheme = map[string]string{"http": "ws", "https": "wss"}[u.Scheme]
	ctx, cancel := context.WithTimeout(ctx, b.cfg.Drain)
	defer cancel()

	var (
		frames [][]byte
		seqs   []int64 // each frame's seq as frameHead read it
	)
	start := time.Now()
	conn, _, err := websocket.Dial(ctx, u.String(), &websocket.DialOptions{
		HTTPClient: b.hc, HTTPHeader: http.Header{"Authorization": {"Bearer " + token}},
	})
	if err != nil {
		return rd, fmt.Errorf("dial room %s: %w", roomID, err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	for rd.check.last < final {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return rd, fmt.Errorf("read room %s at seq %d of %d: %w", roomID, rd.check.last, final, err)
		}
		f, err := frameHead(data)
		if err != nil {
			return rd, fmt.Errorf("read room %s: %w", roomID, err)
		}
		if !isEventType(f.Type) { // synced, pong, error
			if f.Type == "error" {
				return rd, fmt.Errorf("read room %s: %s", roomID, data)
			}
			continue
		}
		rd.check.observe(f.Seq)
		frames = append(frames, data)
		seqs = append(seqs, f.Seq)
	}
	rd.took, rd.reached = time.Since(start), true
	conn.Close(websocket.StatusNormalClosure, "")

	for i, data := range frames {
		var ev room.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return rd, fmt.Errorf("read room %s: %w", roomID, err)
		}
		if ev.Seq != seqs[i] {
			return rd, fmt.Errorf("read room %s: the frame of event %d was read as seq %d while timed", roomID, ev.Seq, seqs[i])
		}
		if ev.Type != room.TypeActivity {
			continue
		}
		var a room.Activity
		if json.Unmarshal(ev.Data, &a) == nil {
			if id, ok := b.parseRef(a.Ref); ok {
				rd.refs[id] = true
			}
		}
	}
	return rd, nil
}

func (r *resumeReport) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// writeText prints the report as a table for people.
func (r *resumeReport) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, args ...any) {
		fmt.Fprintf(tw, "  %s\t"+format+"\n", append([]any{k}, args...)...)
	}
	fmt.Fprintln(tw, "hubbench resume report")
	if r.Interrupted {
		row("interrupted", "yes: the figures are of the part that ran")
	}
	row("hubs", "written on %s, read on %s", r.WriteHub, r.ReadHub)
	row("rooms", "%d of %d, %d events written to each", r.Rooms, r.Asked, r.Events)
	row("reads", "%d of %d (each room %d times, from since=0, as the agent)", r.Reads, r.Rooms*r.Repeat, r.Repeat)
	row("resume time", "%s  (dial → the room's last event)", fmtLatency(r.Time))
	row("lost", "%d", r.Lost)
	row("duplicated", "%d", r.Duplicated)
	row("out of order", "%d", r.OutOfOrder)
	row("undelivered", "%d (written events a read never saw, by ref)", r.Undelivered)
	writeErrors(row, r.Errors)
	fmt.Fprintln(tw)
	if r.OK {
		fmt.Fprintln(tw, "result: OK (every read got every event once, in order)")
	} else {
		fmt.Fprintln(tw, "result: FAILED (see reads, lost, duplicated, out of order and undelivered above)")
	}
	return tw.Flush()
}
