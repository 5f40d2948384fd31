package app

import (
	"context"
	"sync"
	"time"
)

// worker is one piece of an instance's background work: run is called
// every interval, and at once whenever kick has a value, until the app
// stops. Each run gets the app's context.
type worker struct {
	name  string
	every time.Duration
	kick  <-chan struct{} // optional
	run   func(ctx context.Context)
}

// runner runs an app's workers, each in its own goroutine.
type runner struct {
	wg sync.WaitGroup
}

func (r *runner) start(ctx context.Context, w worker) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(w.every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-w.kick:
			}
			w.run(ctx)
		}
	}()
}

// wait returns once every worker has stopped.
func (r *runner) wait() { r.wg.Wait() }
