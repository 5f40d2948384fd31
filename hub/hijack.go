package hub

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"time"
)

// The buffers a WebSocket keeps for as long as it is open. net/http hands
// a hijacked connection over with 4 KB for reading and 4 KB for writing,
// and coder/websocket keeps both; a socket reads only the client's small
// frames (pings, the close), and writes frames of events, most well under
// writeBuffer (a larger frame goes out in two writes, not in pieces).
const (
	readBuffer  = 512
	writeBuffer = 2 << 10
)

// leanHijack is a ResponseWriter whose Hijack hands the connection over
// with the socket's smaller buffers instead of net/http's, and writes
// through a corkConn (conn, once hijacked).
type leanHijack struct {
	http.ResponseWriter
	conn *corkConn
}

// Unwrap lets http.ResponseController reach the writer beneath.
func (w *leanHijack) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack implements http.Hijacker.
func (w *leanHijack) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// What the client sent after its handshake and net/http read already
	// is read first.
	if n := brw.Reader.Buffered(); n > 0 {
		pending, _ := brw.Reader.Peek(n)
		conn = &prefixConn{Conn: conn, pending: append([]byte(nil), pending...)}
	}
	w.conn = &corkConn{Conn: conn}
	return conn, bufio.NewReadWriter(bufio.NewReaderSize(conn, readBuffer), bufio.NewWriterSize(w.conn, writeBuffer)), nil
}

// corkLimit is the most a corked connection gathers before it writes.
const corkLimit = 64 << 10

// corkConn is what a socket's write buffer writes to. coder/websocket
// flushes after every frame, one write to the connection each; while the
// connection is corked, what is flushed is gathered instead (up to
// corkLimit), so that a catch-up of many events costs a few writes, not
// one per event. Uncork writes what was gathered.
type corkConn struct {
	net.Conn
	mu      sync.Mutex
	corked  bool
	timeout time.Duration // while corked: the deadline of a write to the network
	buf     []byte
	// err is the first failed write's while corked: the stream may hold
	// part of a frame, so nothing more is written.
	err error
}

// Write implements io.Writer for the socket's write buffer.
func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corked && len(c.buf)+len(p) <= corkLimit {
		c.buf = append(c.buf, p...)
		return len(p), nil
	}
	if !c.corked {
		// The deadline is the Write's this is part of: coder/websocket
		// closes the connection when that Write's context ends.
		return c.Conn.Write(p)
	}
	// Corked, what was gathered and a frame that does not fit are written
	// now, within the cork's deadline: frames written while corked carry
	// none of their own (see socket.write).
	if c.err != nil {
		return 0, c.err
	}
	if c.err = c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); c.err != nil {
		return 0, c.err
	}
	defer c.Conn.SetWriteDeadline(time.Time{})
	if len(c.buf) > 0 {
		if _, c.err = c.Conn.Write(c.buf); c.err != nil {
			return 0, c.err
		}
		c.buf = c.buf[:0]
	}
	var n int
	n, c.err = c.Conn.Write(p)
	return n, c.err
}

// corkBuffers are the buffers of corked connections, corkLimit each: a
// catch-up borrows one and gives it back when it uncorks, so that an idle
// socket keeps none, and one that catches up does not grow its own.
var corkBuffers = sync.Pool{New: func() any { b := make([]byte, 0, corkLimit); return &b }}

// cork makes writes gather until uncork; what must go to the network
// meanwhile (the buffer is full) goes within timeout.
func (c *corkConn) cork(timeout time.Duration) {
	c.mu.Lock()
	c.corked, c.timeout = true, timeout
	if c.buf == nil {
		c.buf = (*corkBuffers.Get().(*[]byte))[:0]
	}
	c.mu.Unlock()
}

// gathering reports whether writes are gathered now.
func (c *corkConn) gathering() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.corked
}

// uncork writes what was gathered within the cork's timeout, and lets
// writes through again; it reports the error of a write that failed while
// corked, if one did, without writing more. Its buffer goes back to
// corkBuffers.
func (c *corkConn) uncork() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	buf := c.buf
	c.buf = nil
	if cap(buf) == corkLimit {
		defer func() { b := buf[:0]; corkBuffers.Put(&b) }()
	}
	if c.err != nil {
		return c.err
	}
	if len(buf) == 0 {
		return nil
	}
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return err
	}
	_, err := c.Conn.Write(buf)
	if derr := c.Conn.SetWriteDeadline(time.Time{}); err == nil {
		err = derr
	}
	return err
}

// prefixConn is a connection whose first bytes read are pending.
type prefixConn struct {
	net.Conn
	pending []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		if len(c.pending) == 0 {
			c.pending = nil
		}
		return n, nil
	}
	return c.Conn.Read(p)
}
