package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tandemhq/tandem/client"
)

// errorCounts counts errors by kind: the operation and what went wrong, as
// "activity: rate_limited" or "subscribe: network".
type errorCounts struct {
	mu    sync.Mutex
	kinds map[string]int64
	total atomic.Int64
}

func (e *errorCounts) add(op string, err error) {
	e.addKind(op + ": " + errKind(err))
}

func (e *errorCounts) addKind(kind string) {
	e.total.Add(1)
	e.mu.Lock()
	if e.kinds == nil {
		e.kinds = map[string]int64{}
	}
	e.kinds[kind]++
	e.mu.Unlock()
}

func (e *errorCounts) snapshot() map[string]int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]int64, len(e.kinds))
	for k, n := range e.kinds {
		out[k] = n
	}
	return out
}

// errKind names what kind of error err is: the hub's error code when it
// answered one, otherwise a coarse class.
func errKind(err error) string {
	if code := client.ErrorCode(err); code != "" {
		return code
	}
	var ce *client.CloseError
	var se *statusError
	var ne net.Error
	switch {
	case errors.As(err, &ce):
		return fmt.Sprintf("close_%d", ce.Code)
	case errors.As(err, &se):
		return fmt.Sprintf("http_%d", se.status)
	case errors.Is(err, client.ErrProtocol):
		return "protocol"
	case errors.Is(err, client.ErrClosed):
		return "closed"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &ne), strings.Contains(err.Error(), "connection reset"), strings.Contains(err.Error(), "EOF"):
		return "network"
	}
	return "other"
}
