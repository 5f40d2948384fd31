package api

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem"
)

// Path patterns of ids, so malformed ids never reach a handler.
const (
	roomIDPattern    = "{id:rm_[a-z2-7]{24}}"
	contactIDPattern = "{id:ct_[a-z2-7]{24}}"
)

// routes is the API of docs/protocol.md.
func (s *Server) routes() *mux.Router {
	r := mux.NewRouter()
	r.Use(s.middleware)
	r.HandleFunc("/healthz", s.handleHealth).Methods(http.MethodGet)
	r.HandleFunc("/readyz", s.handleReady).Methods(http.MethodGet)
	r.Handle("/metrics", s.handleMetrics()).Methods(http.MethodGet)

	api := r.PathPrefix("/api/v1").Subrouter()
	api.HandleFunc("/login", s.handleLogin).Methods(http.MethodPost)
	api.HandleFunc("/logout", s.requireAgent(s.handleLogout)).Methods(http.MethodPost)
	api.HandleFunc("/me", s.requireAgent(s.handleMe)).Methods(http.MethodGet)
	api.HandleFunc("/password/forgot", s.handleForgot).Methods(http.MethodPost)
	api.HandleFunc("/password/reset", s.handleReset).Methods(http.MethodPost)
	api.HandleFunc("/account/settings", s.requireAgent(s.handleSettings)).Methods(http.MethodGet)
	api.HandleFunc("/account/settings", s.requireAgent(s.handlePutSettings)).Methods(http.MethodPut)
	api.HandleFunc("/contacts", s.requireAgent(s.handleContacts)).Methods(http.MethodGet)
	api.HandleFunc("/contacts/"+contactIDPattern, s.requireAgent(s.handleContact)).Methods(http.MethodGet)
	api.HandleFunc("/contacts/"+contactIDPattern, s.requireAgent(s.handleUpdateContact)).Methods(http.MethodPatch)
	api.HandleFunc("/contacts/"+contactIDPattern, s.requireAgent(s.handleDeleteContact)).Methods(http.MethodDelete)
	api.HandleFunc("/rooms", s.requireAgent(s.handleCreateRoom)).Methods(http.MethodPost)
	api.HandleFunc("/rooms", s.requireAgent(s.handleRooms)).Methods(http.MethodGet)
	api.HandleFunc("/feed", s.requireAgent(s.handleFeed)).Methods(http.MethodGet)
	api.HandleFunc("/rooms/"+roomIDPattern, s.requireRoomAccess(s.handleRoom)).Methods(http.MethodGet)
	api.HandleFunc("/rooms/"+roomIDPattern+"/invite", s.requireAgent(s.handleInvite)).Methods(http.MethodPost)
	api.HandleFunc("/rooms/"+roomIDPattern+"/close", s.requireAgent(s.handleClose)).Methods(http.MethodPost)
	api.HandleFunc("/rooms/"+roomIDPattern+"/reengage", s.requireAgent(s.handleReengage)).Methods(http.MethodPost)
	api.HandleFunc("/hooks/{provider:[a-z0-9]+}/status", s.handleStatusCallback).Methods(http.MethodPost)
	api.HandleFunc("/rooms/"+roomIDPattern+"/events", s.requireRoomAccess(s.handleEvents)).Methods(http.MethodGet)
	api.HandleFunc("/rooms/"+roomIDPattern+"/activity", s.requireRoomAccess(s.handleActivity)).Methods(http.MethodPost)
	api.HandleFunc("/rooms/"+roomIDPattern+"/ws", s.requireRoomAccess(s.handleRoomSocket)).Methods(http.MethodGet)
	if len(s.cfg.DevOutbox) > 0 {
		api.HandleFunc("/dev/outbox", s.requireAgent(s.handleDevOutbox)).Methods(http.MethodGet)
	}
	api.NotFoundHandler = s.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, tandem.Errorf(tandem.KindNotFound, "no such API endpoint: %s %s", r.Method, r.URL.Path))
	}))
	api.MethodNotAllowedHandler = s.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, tandem.Coded(tandem.KindInvalid, "method_not_allowed", "%s is not allowed on %s", r.Method, r.URL.Path))
	}))

	r.HandleFunc("/r/{token}", s.handleLink).Methods(http.MethodGet)
	if s.cfg.Web != nil {
		r.HandleFunc("/room/"+roomIDPattern, s.servePage("room.html")).Methods(http.MethodGet)
		r.HandleFunc("/console", s.servePage("console.html")).Methods(http.MethodGet)
		r.HandleFunc("/password/reset", s.servePage("console.html")).Methods(http.MethodGet) // the reset email's link
		r.HandleFunc("/", s.servePage("index.html")).Methods(http.MethodGet)
		r.PathPrefix("/static/").Handler(http.StripPrefix("/static/", http.FileServerFS(s.cfg.Web))).Methods(http.MethodGet)
	}
	return r
}

// roomIDFrom returns the {id} of the path. Routes only match well-formed
// ids, so handlers never pass garbage to the store.
func roomIDFrom(r *http.Request) string { return mux.Vars(r)["id"] }
