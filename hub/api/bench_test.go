package api_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
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
	var wg sync.WaitGroup
	last := s.Seq + int64(b.N)
	errs := make(chan error, nsubs)
	for i := 0; i < nsubs; i++ {
		sub, err := e.agent.Subscribe(ctx, s.ID, s.Seq)
		if err != nil {
			b.Fatal(err)
		}
		defer sub.Close()
		wg.Add(1)
		go func(sub *client.Subscription) {
			defer wg.Done()
			rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
			defer cancel()
			for sub.LastSeq() < last {
				if _, err := sub.Next(rctx); err != nil {
					errs <- err
					return
				}
			}
		}(sub)
	}
	waitConns(b, e.hub, int64(nsubs))
	payload := map[string]string{"field": "email", "value": "sam@example.com"}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := e.hub.AppendForTest(ctx, e.account, s.ID, "test.note", payload); err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
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
	var wg sync.WaitGroup
	last := st.Seq + int64(b.N)
	errs := make(chan error, nsubs)
	for range nsubs {
		sub, err := e.agent.Subscribe(ctx, s.ID, st.Seq)
		if err != nil {
			b.Fatal(err)
		}
		defer sub.Close()
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
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if _, err := cust.FillField(ctx, s.ID, doc.ID, "name", fmt.Sprintf("Ria Novak %d", i)); err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "values/s")
}
