package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/hub/api"
)

// BenchmarkAppendFanout measures one instance end to end: an event is
// committed through the hub's command path (store transaction included)
// and delivered over real WebSockets on loopback to every subscriber of the
// room. ns/op is per event, with all its deliveries; the deliveries/s
// metric counts frames received by subscribers.
//
//	go test -run '^$' -bench AppendFanout -benchtime 2000x ./hub/
func BenchmarkAppendFanout(b *testing.B) {
	for _, storeName := range []string{"sqlite", "postgres"} {
		for _, subs := range []int{1, 10, 100} {
			b.Run(fmt.Sprintf("store=%s/subscribers=%d", storeName, subs), func(b *testing.B) {
				benchFanout(b, storeName, subs)
			})
		}
	}
}

func benchFanout(b *testing.B, storeName string, nsubs int) {
	e := newEnv(b, stores[storeName])
	ctx := context.Background()
	s := e.liveRoom()
	wait := follow(b, e, s.ID, s.Seq, b.N, nsubs)
	payload := map[string]string{"field": "email", "value": "sam@example.com"}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := e.hub.AppendForTest(ctx, e.account, s.ID, "test.note", payload); err != nil {
			b.Fatal(err)
		}
	}
	wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(b.N*nsubs)/elapsed.Seconds(), "deliveries/s")
}

// BenchmarkFillField measures the fill path end to end: the customer's
// PUT of one field's value over HTTP (room cookie, CSRF and limit checks,
// the commit with its store transaction) until document.field_filled
// reaches every agent subscribed to the room over WebSockets. ns/op is per
// value, with all its deliveries.
//
//	go test -run '^$' -bench FillField -benchtime 2000x ./hub/api/
func BenchmarkFillField(b *testing.B) {
	for _, storeName := range []string{"sqlite", "postgres"} {
		for _, subs := range []int{1, 10} {
			b.Run(fmt.Sprintf("store=%s/subscribers=%d", storeName, subs), func(b *testing.B) {
				benchFill(b, storeName, subs)
			})
		}
	}
}

func benchFill(b *testing.B, storeName string, nsubs int) {
	e := newEnv(b, stores[storeName], func(cfg *api.Config) { cfg.CustomerWritesPerMinute = 1 << 30 })
	ctx := context.Background()
	tpl := e.loanTemplate(b)
	s := e.liveRoom()
	doc, err := e.agent.AddDocument(ctx, s.ID, tpl.ID, map[string]string{"ref": "LN-1"})
	if err != nil {
		b.Fatal(err)
	}
	cust := e.customer(s.ID)
	st, err := e.agent.Room(ctx, s.ID)
	if err != nil {
		b.Fatal(err)
	}
	wait := follow(b, e, s.ID, st.Seq, b.N, nsubs)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if _, err := cust.FillField(ctx, s.ID, doc.ID, "name", fmt.Sprintf("Ria Novak %d", i)); err != nil {
			b.Fatal(err)
		}
	}
	wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "values/s")
}

// follow subscribes nsubs agents to the room after seq since, each reading
// until n more events arrived, and returns once every socket is up; the
// function it returns waits for them all and fails b on a read error.
func follow(b *testing.B, e *env, roomID string, since int64, n, nsubs int) (wait func()) {
	ctx := context.Background()
	var wg sync.WaitGroup
	last := since + int64(n)
	errs := make(chan error, nsubs)
	for range nsubs {
		sub, err := e.agent.Subscribe(ctx, roomID, since)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { sub.Close() })
		wg.Add(1)
		go func() {
			defer wg.Done()
			rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
			defer cancel()
			for sub.LastSeq() < last {
				if _, err := sub.Next(rctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	waitConns(b, e.hub, int64(nsubs))
	return func() {
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
}

// BenchmarkResume measures a resume: a room holds 1 000 events, and an
// agent's WebSocket connects with since=0; ns/op is the time from the dial
// until the client has read the last of them (and the synced frame after
// it), over loopback.
//
//	go test -run '^$' -bench Resume -benchtime 50x ./hub/api/
func BenchmarkResume(b *testing.B) {
	for _, storeName := range []string{"sqlite", "postgres"} {
		b.Run("store="+storeName, func(b *testing.B) { benchResume(b, storeName, 1000) })
	}
}

func benchResume(b *testing.B, storeName string, n int) {
	e := newEnv(b, stores[storeName])
	ctx := context.Background()
	s := e.liveRoom()
	payload := map[string]string{"field": "email", "value": "sam@example.com", "note": "a note of the length events carry in practice"}
	var last int64
	for range n - int(s.Seq) {
		st, err := e.hub.AppendForTest(ctx, e.account, s.ID, "test.note", payload)
		if err != nil {
			b.Fatal(err)
		}
		last = st.Seq
	}
	u := "ws" + strings.TrimPrefix(e.url, "http") + "/api/v1/rooms/" + s.ID + "/ws?since=0"
	h := http.Header{"Authorization": {"Bearer " + e.agent.Token()}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h})
		if err != nil {
			b.Fatal(err)
		}
		conn.SetReadLimit(1 << 20)
		frames := 0
		for {
			_, f, err := conn.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if bytes.Contains(f, []byte(`"type":"synced"`)) {
				break
			}
			frames++
		}
		if frames != int(last) {
			b.Fatalf("%d events before synced, want %d", frames, last)
		}
		b.StopTimer()
		conn.Close(websocket.StatusNormalClosure, "")
		waitConns(b, e.hub, 0)
		b.StartTimer()
	}
}
