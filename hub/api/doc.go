// Package api is Tandem's HTTP edge: the routes of docs/protocol.md
// (gorilla/mux; this is the only package that knows it), who a request
// comes from (sign-in token or cookie, room cookie) and the CSRF and
// Origin checks, one handler file per area, and the mapping of the one
// application error type (*tandem.Error) to HTTP statuses and bodies.
//
// Handlers decode a request, call a use case of hub/app, and encode its
// answer; WebSockets are handed to the real-time core (package hub) once
// authorised. New wires the three layers of one hub instance.
package api
