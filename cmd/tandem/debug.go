package main

import (
	"context"
	"errors"
	"expvar"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"time"

	"github.com/rs/zerolog"
)

// debugAddr checks TANDEM_DEBUG_ADDR. The profiling listener is off unless
// it is set, and it must be a loopback address unless
// TANDEM_DEBUG_ALLOW_REMOTE=1 says otherwise: a heap profile or a goroutine
// dump shows what the process holds (tokens, customers' data in flight),
// and a CPU profile or a trace costs the hub CPU for as long as anyone
// asks, so neither may be reachable by whoever reaches the hub.
func debugAddr(addr, allowRemote string) (string, error) {
	if addr == "" {
		return "", nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("TANDEM_DEBUG_ADDR %q is not a host:port such as 127.0.0.1:6060", addr)
	}
	switch allowRemote {
	case "", "0":
	case "1":
		return addr, nil
	default:
		return "", fmt.Errorf("TANDEM_DEBUG_ALLOW_REMOTE must be 1 or unset, not %q", allowRemote)
	}
	if !loopbackHost(host) {
		return "", fmt.Errorf("TANDEM_DEBUG_ADDR %q is not a loopback address: profiles show the memory of the hub and cost it CPU, so they are served on 127.0.0.1 or ::1 (reach them through an SSH tunnel), unless TANDEM_DEBUG_ALLOW_REMOTE=1", addr)
	}
	return addr, nil
}

// loopbackHost reports whether host names only this machine. An empty
// host (":6060") means every interface, so it is not.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// debugHandler serves net/http/pprof under /debug/pprof/ and expvar on
// /debug/vars. It has a mux of its own: the packages' init functions
// register on http.DefaultServeMux, which nothing serves.
func debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/debug/vars", expvar.Handler())
	return mux
}

// debugServer is the profiling listener of TANDEM_DEBUG_ADDR.
type debugServer struct {
	srv *http.Server
	ln  net.Listener
}

// startDebug listens on addr and serves the profiles until shutdown; a nil
// *debugServer (addr empty) does nothing.
func startDebug(addr string, log zerolog.Logger) (*debugServer, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("TANDEM_DEBUG_ADDR: listen on %s: %w", addr, err)
	}
	d := &debugServer{ln: ln, srv: &http.Server{
		Handler:           debugHandler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// A CPU profile or a trace writes for its ?seconds= (30 by
		// default); pprof refuses one longer than this.
		WriteTimeout:   2 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 32 << 10,
	}}
	go func() {
		if err := d.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error().Err(err).Msg("profiling listener stopped")
		}
	}()
	log.Info().Str("addr", ln.Addr().String()).Msg("profiling listener serving /debug/pprof/ and /debug/vars")
	return d, nil
}

// close stops the listener at once, for the paths where the hub fails.
func (d *debugServer) close() {
	if d != nil {
		_ = d.srv.Close()
	}
}

// shutdown stops the listener, ending the profiles in flight at ctx's end.
func (d *debugServer) shutdown(ctx context.Context) error {
	if d == nil {
		return nil
	}
	if err := d.srv.Shutdown(ctx); err != nil {
		_ = d.srv.Close()
		return err
	}
	return nil
}
