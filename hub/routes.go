package hub

import (
	"context"
	"io/fs"
	"net/http"
	"slices"
	"time"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// roomIDPattern matches the ids room.NewID("rm") makes, so malformed ids
// never reach a handler.
const roomIDPattern = "{id:rm_[a-z2-7]{24}}"

func (h *Hub) routes() *mux.Router {
	r := mux.NewRouter()
	r.Use(h.middleware)
	r.HandleFunc("/healthz", h.handleHealth).Methods(http.MethodGet)
	r.HandleFunc("/readyz", h.handleReady).Methods(http.MethodGet)
	r.Handle("/metrics", h.handleMetrics()).Methods(http.MethodGet)

	api := r.PathPrefix("/api/v1").Subrouter()
	api.HandleFunc("/login", h.handleLogin).Methods(http.MethodPost)
	api.HandleFunc("/logout", h.requireAgent(h.handleLogout)).Methods(http.MethodPost)
	api.HandleFunc("/me", h.requireAgent(h.handleMe)).Methods(http.MethodGet)
	api.HandleFunc("/password/forgot", h.handleForgot).Methods(http.MethodPost)
	api.HandleFunc("/password/reset", h.handleReset).Methods(http.MethodPost)
	api.HandleFunc("/account/settings", h.requireAgent(h.handleSettings)).Methods(http.MethodGet)
	api.HandleFunc("/account/settings", h.requireAgent(h.handlePutSettings)).Methods(http.MethodPut)
	api.HandleFunc("/contacts", h.requireAgent(h.handleContacts)).Methods(http.MethodGet)
	api.HandleFunc("/contacts/{id:ct_[a-z2-7]{24}}", h.requireAgent(h.handleContact)).Methods(http.MethodGet)
	api.HandleFunc("/contacts/{id:ct_[a-z2-7]{24}}", h.requireAgent(h.handleUpdateContact)).Methods(http.MethodPatch)
	api.HandleFunc("/contacts/{id:ct_[a-z2-7]{24}}", h.requireAgent(h.handleDeleteContact)).Methods(http.MethodDelete)
	api.HandleFunc("/rooms", h.requireAgent(h.handleCreateRoom)).Methods(http.MethodPost)
	api.HandleFunc("/rooms", h.requireAgent(h.handleRooms)).Methods(http.MethodGet)
	api.HandleFunc("/feed", h.requireAgent(h.handleFeed)).Methods(http.MethodGet)
	api.HandleFunc("/rooms/"+roomIDPattern, h.requireRoomAccess(h.handleRoom)).Methods(http.MethodGet)
	api.HandleFunc("/rooms/"+roomIDPattern+"/invite", h.requireAgent(h.handleInvite)).Methods(http.MethodPost)
	api.HandleFunc("/rooms/"+roomIDPattern+"/close", h.requireAgent(h.handleClose)).Methods(http.MethodPost)
	api.HandleFunc("/rooms/"+roomIDPattern+"/reengage", h.requireAgent(h.handleReengage)).Methods(http.MethodPost)
	api.HandleFunc("/hooks/{provider:[a-z0-9]+}/status", h.handleStatusCallback).Methods(http.MethodPost)
	api.HandleFunc("/rooms/"+roomIDPattern+"/events", h.requireRoomAccess(h.handleEvents)).Methods(http.MethodGet)
	api.HandleFunc("/rooms/"+roomIDPattern+"/activity", h.requireRoomAccess(h.handleActivity)).Methods(http.MethodPost)
	api.HandleFunc("/rooms/"+roomIDPattern+"/ws", h.requireRoomAccess(h.handleWS)).Methods(http.MethodGet)
	if len(h.cfg.DevOutbox) > 0 {
		api.HandleFunc("/dev/outbox", h.requireAgent(h.handleDevOutbox)).Methods(http.MethodGet)
	}
	api.NotFoundHandler = h.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, r, room.Errorf(room.KindNotFound, "no such API endpoint: %s %s", r.Method, r.URL.Path))
	}))
	api.MethodNotAllowedHandler = h.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, r, room.Coded(room.KindInvalid, "method_not_allowed", "%s is not allowed on %s", r.Method, r.URL.Path))
	}))

	r.HandleFunc("/r/{token}", h.handleLink).Methods(http.MethodGet)
	if h.cfg.Web != nil {
		r.HandleFunc("/room/"+roomIDPattern, h.servePage("room.html")).Methods(http.MethodGet)
		r.HandleFunc("/console", h.servePage("console.html")).Methods(http.MethodGet)
		r.HandleFunc("/password/reset", h.servePage("console.html")).Methods(http.MethodGet) // the reset email's link
		r.HandleFunc("/", h.servePage("index.html")).Methods(http.MethodGet)
		r.PathPrefix("/static/").Handler(http.StripPrefix("/static/", http.FileServerFS(h.cfg.Web))).Methods(http.MethodGet)
	}
	return r
}

// servePage serves one page of the embedded UI.
func (h *Hub) servePage(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := fs.ReadFile(h.cfg.Web, name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(b)
	}
}

func (h *Hub) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady answers 200 only while the store answers: a load balancer
// sends no traffic to an instance that cannot reach its database.
func (h *Hub) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := h.store.Ping(ctx); err != nil {
		h.log.Warn().Err(err).Msg("not ready: store does not answer")
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

type outboxMessage struct {
	Channel room.Channel `json:"channel"`
	To      string       `json:"to"`
	Subject string       `json:"subject,omitempty"`
	Body    string       `json:"body"`
	Link    string       `json:"link,omitempty"`
	At      time.Time    `json:"at"`
	Status  string       `json:"status"`
	Room    string       `json:"room,omitempty"`
}

// handleDevOutbox shows the messages the dev outbox kept instead of sending
// them, so a person can play the customer on the same machine.
func (h *Hub) handleDevOutbox(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	// The page carries every link, password resets included: admins only.
	if p.user == nil || p.user.Role != store.RoleAdmin {
		h.writeError(w, r, room.Errorf(room.KindForbidden, "the dev outbox is for admins"))
		return
	}
	msgs, err := h.store.Messages(r.Context(), p.account(), 200)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]outboxMessage, 0, len(msgs))
	for _, m := range msgs {
		if !slices.Contains(h.cfg.DevOutbox, m.Channel) {
			continue
		}
		out = append(out, outboxMessage{Channel: m.Channel, To: m.To, Subject: m.Subject, Body: m.Body, Link: m.Link, At: m.CreatedAt, Status: string(m.Status), Room: m.Room})
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out, "simulation": true})
}
