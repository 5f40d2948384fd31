package hub

import (
	"bufio"
	"net"
	"net/http"
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
// with the socket's smaller buffers instead of net/http's.
type leanHijack struct {
	http.ResponseWriter
}

// Unwrap lets http.ResponseController reach the writer beneath.
func (w leanHijack) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack implements http.Hijacker.
func (w leanHijack) Hijack() (net.Conn, *bufio.ReadWriter, error) {
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
	return conn, bufio.NewReadWriter(bufio.NewReaderSize(conn, readBuffer), bufio.NewWriterSize(conn, writeBuffer)), nil
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
