package hub

import "github.com/coder/websocket"

// Application close codes of Tandem's WebSockets (docs/protocol.md). The
// Go SDK names them the same.
const (
	// CloseSinceAhead: the since a client resumed from is after the
	// room's last event (it talked to another hub's database, or made it
	// up). Resuming cannot fix it; read the room again.
	CloseSinceAhead websocket.StatusCode = 4400
	// CloseAccessEnded: the credential the socket was opened with ended
	// (sign-out, password reset, expiry, a revoked link). Reconnecting with
	// it cannot work.
	CloseAccessEnded websocket.StatusCode = 4401
	// CloseTooManySockets: the credential holds as many sockets on this
	// instance as it may (Credential.MaxSockets) already. Close some before opening more;
	// retrying later with backoff is fine.
	CloseTooManySockets websocket.StatusCode = 4429
)

// closeError is how a socket's writer says why it stopped, with the
// close code and reason the client gets.
type closeError struct {
	code   websocket.StatusCode
	reason string
}

func (e *closeError) Error() string { return e.reason }
