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
	mu     sync.Mutex
	corked bool
	buf    []byte
}

// Write implements io.Writer for the socket's write buffer.
func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corked && len(c.buf)+len(p) <= corkLimit {
		c.buf = append(c.buf, p...)
		return len(p), nil
	}
	// A frame that does not fit is written now, after what was gathered,
	// within the deadline of the Write it is part of: coder/websocket
	// closes the connection when that Write's context ends.
	if len(c.buf) > 0 {
		if _, err := c.Conn.Write(c.buf); err != nil {
			return 0, err
		}
		c.buf = c.buf[:0]
	}
	return c.Conn.Write(p)
}

// cork makes writes gather until uncork.
func (c *corkConn) cork() {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
}

// uncork writes what was gathered within timeout, and lets writes through
// again. Its buffer is let go: an idle socket keeps none.
func (c *corkConn) uncork(timeout time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	buf := c.buf
	c.buf = nil
	if len(buf) == 0 {
		return nil
	}
	if err := c.Conn.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
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
