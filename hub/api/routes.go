package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem"
)

// Path patterns of ids, so malformed ids never reach a handler.
const (
	roomIDPattern    = "{id:rm_[a-z2-7]{24}}"
	contactIDPattern = "{id:ct_[a-z2-7]{24}}"
	assetIDPattern   = "{id:as_[a-z2-7]{24}}"
	docTypeIDPattern = "{id:dt_[a-z2-7]{24}}"
	// A document's id is made by the hub; a field's comes from its
	// template and has room.Field's rules (room.MaxFieldIDLen).
	documentIDPattern = "{doc:dc_[a-z2-7]{24}}"
	fieldIDPattern    = "{field:[A-Za-z0-9_-]{1,64}}"
)

// routes is the API of docs/protocol.md.
//
// Each path is one route whose handler picks by method (methods), rather
// than one route per method with mux's Methods matcher: on a subrouter,
// mux forgets a method mismatch as soon as a later route's path prefix
// matches, and answers 404 for a path that exists. So a path with a method
// it does not take answers 400 method_not_allowed, with Allow, whatever
// the order of the routes.
func (s *Server) routes() *mux.Router {
	const (
		get, post, put = http.MethodGet, http.MethodPost, http.MethodPut
		patch, del     = http.MethodPatch, http.MethodDelete
	)
	r := mux.NewRouter()
	r.Use(s.middleware)
	// The router's middleware wraps matched routes only: a path that
	// matches none still gets the headers every answer carries.
	r.NotFoundHandler = s.middleware(http.NotFoundHandler())
	r.Handle("/healthz", s.methods(byMethod{get: s.handleHealth}))
	r.Handle("/readyz", s.methods(byMethod{get: s.handleReady}))
	r.Handle("/metrics", s.methods(byMethod{get: s.handleMetrics().ServeHTTP}))

	api := r.PathPrefix("/api/v1").Subrouter()
	api.Handle("/login", s.methods(byMethod{post: s.handleLogin}))
	api.Handle("/logout", s.methods(byMethod{post: s.requireAgent(s.handleLogout)}))
	api.Handle("/me", s.methods(byMethod{get: s.requireAgent(s.handleMe)}))
	api.Handle("/whoami", s.methods(byMethod{get: s.handleWhoami}))
	api.Handle("/password/forgot", s.methods(byMethod{post: s.handleForgot}))
	api.Handle("/password/reset", s.methods(byMethod{post: s.handleReset}))
	api.Handle("/users", s.methods(byMethod{get: s.requireAgent(s.handleUsers), post: s.requireAgent(s.handleInviteUser)}))
	api.Handle("/users/"+userIDPattern, s.methods(byMethod{patch: s.requireAgent(s.handleUpdateUser)}))
	api.Handle("/users/"+userIDPattern+"/invitation", s.methods(byMethod{post: s.requireAgent(s.handleResendInvitation)}))
	api.Handle("/invitation/accept", s.methods(byMethod{post: s.handleAcceptInvitation}))
	api.Handle("/account/settings", s.methods(byMethod{get: s.requireAgent(s.handleSettings), put: s.requireAgent(s.handlePutSettings)}))
	api.Handle("/account", s.methods(byMethod{patch: s.requireAgent(s.handlePatchAccount)}))
	api.Handle("/account/brand", s.methods(byMethod{get: s.requireAgent(s.handleAccountBrand)}))
	api.Handle("/account/logo", s.methods(byMethod{put: s.requireAgent(s.handlePutLogo), del: s.requireAgent(s.handleDeleteLogo)}))
	api.Handle("/me/photo", s.methods(byMethod{put: s.requireAgent(s.handlePutPhoto), del: s.requireAgent(s.handleDeletePhoto)}))
	api.Handle("/brand", s.methods(byMethod{get: s.handlePublicBrand}))
	api.Handle("/contacts", s.methods(byMethod{get: s.requireAgent(s.handleContacts)}))
	api.Handle("/contacts/"+contactIDPattern, s.methods(byMethod{
		get: s.requireAgent(s.handleContact), patch: s.requireAgent(s.handleUpdateContact), del: s.requireAgent(s.handleDeleteContact),
	}))
	api.Handle("/assets", s.methods(byMethod{post: s.requireAgent(s.handleUploadAsset), get: s.requireAgent(s.handleAssets)}))
	api.Handle("/assets/"+assetIDPattern, s.methods(byMethod{
		get: s.requireAgent(s.handleAsset), patch: s.requireAgent(s.handleUpdateAsset), del: s.requireAgent(s.handleDeleteAsset),
	}))
	api.Handle("/assets/"+assetIDPattern+"/fields", s.methods(byMethod{put: s.requireAgent(s.handleAssetFields)}))
	api.Handle("/assets/"+assetIDPattern+"/file", s.methods(byMethod{get: s.requireAgent(s.handleAssetFile)}))
	api.Handle("/document-types", s.methods(byMethod{
		get: s.requireAgent(s.handleDocumentTypes), post: s.requireAgent(s.handleCreateDocumentType),
	}))
	api.Handle("/document-types/"+docTypeIDPattern, s.methods(byMethod{patch: s.requireAgent(s.handleUpdateDocumentType)}))
	api.Handle("/rooms", s.methods(byMethod{post: s.requireAgent(s.handleCreateRoom), get: s.requireAgent(s.handleRooms)}))
	api.Handle("/feed", s.methods(byMethod{get: s.requireAgent(s.handleFeed)}))
	api.Handle("/rooms/"+roomIDPattern, s.methods(byMethod{get: s.requireRoomAccess(s.handleRoom)}))
	api.Handle("/rooms/"+roomIDPattern+"/invite", s.methods(byMethod{post: s.requireAgent(s.handleInvite)}))
	api.Handle("/rooms/"+roomIDPattern+"/close", s.methods(byMethod{post: s.requireAgent(s.handleClose)}))
	api.Handle("/rooms/"+roomIDPattern+"/reengage", s.methods(byMethod{post: s.requireAgent(s.handleReengage)}))
	api.Handle("/rooms/"+roomIDPattern+"/resend", s.methods(byMethod{post: s.requireAgent(s.handleResend)}))
	api.Handle("/rooms/"+roomIDPattern+"/link", s.methods(byMethod{post: s.requireAgent(s.handleCopyLink)}))
	api.Handle("/hooks/{provider:[a-z0-9]+}/status", s.methods(byMethod{post: s.handleStatusCallback}))
	api.Handle("/rooms/"+roomIDPattern+"/events", s.methods(byMethod{get: s.requireRoomAccess(s.handleEvents)}))
	api.Handle("/rooms/"+roomIDPattern+"/activity", s.methods(byMethod{post: s.requireRoomAccess(s.handleActivity)}))
	doc := "/rooms/" + roomIDPattern + "/documents/" + documentIDPattern
	api.Handle("/rooms/"+roomIDPattern+"/documents", s.methods(byMethod{post: s.requireAgent(s.handleAddDocument)}))
	api.Handle(doc, s.methods(byMethod{get: s.requireRoomAccess(s.handleDocument)}))
	api.Handle(doc+"/file", s.methods(byMethod{get: s.requireRoomAccess(s.handleDocumentFile)}))
	api.Handle(doc+"/preview", s.methods(byMethod{get: s.requireAgent(s.handlePreview)}))
	api.Handle(doc+"/completed", s.methods(byMethod{get: s.requireRoomAccess(s.handleCompletedFile)}))
	api.Handle(doc+"/signed", s.methods(byMethod{get: s.requireRoomAccess(s.handleSignedFile)}))
	api.Handle("/verify", s.methods(byMethod{post: s.handleVerify}))
	api.Handle("/verify/root.pem", s.methods(byMethod{get: s.handleSealRoot}))
	api.Handle(doc+"/fields/"+fieldIDPattern, s.methods(byMethod{put: s.requireRoomAccess(s.handleFillField)}))
	api.Handle(doc+"/viewed", s.methods(byMethod{post: s.requireRoomAccess(s.handleViewed)}))
	api.Handle(doc+"/complete", s.methods(byMethod{post: s.requireRoomAccess(s.handleComplete)}))
	api.Handle(doc+"/decline", s.methods(byMethod{post: s.requireRoomAccess(s.handleDecline)}))
	req := "/rooms/" + roomIDPattern + "/requests/" + requestIDPattern
	api.Handle("/rooms/"+roomIDPattern+"/requests", s.methods(byMethod{post: s.requireAgent(s.handleAddRequests)}))
	api.Handle(req+"/files", s.methods(byMethod{post: s.requireRoomAccess(s.handleUploadRequestFile)}))
	api.Handle(req+"/files/"+fileIDPattern, s.methods(byMethod{get: s.requireRoomAccess(s.handleRequestFile), del: s.requireRoomAccess(s.handleRemoveRequestFile)}))
	api.Handle(req+"/submit", s.methods(byMethod{post: s.requireRoomAccess(s.handleSubmitRequest)}))
	api.Handle(req+"/review", s.methods(byMethod{post: s.requireAgent(s.handleReviewRequest)}))
	pay := "/rooms/" + roomIDPattern + "/payments/" + paymentIDPattern
	api.Handle("/rooms/"+roomIDPattern+"/payments", s.methods(byMethod{post: s.requireAgent(s.handleRequestPayment)}))
	api.Handle(pay+"/cancel", s.methods(byMethod{post: s.requireRoomAccess(s.handleCancelPayment)}))
	api.Handle(pay+"/checkout", s.methods(byMethod{post: s.requireRoomAccess(s.handleCheckout)}))
	api.Handle(pay+"/card", s.methods(byMethod{post: s.requireRoomAccess(s.handlePayByCard)}))
	api.Handle("/hooks/{provider:[a-z0-9]+}", s.methods(byMethod{post: s.handlePaymentWebhook}))
	api.Handle("/rooms/"+roomIDPattern+"/ws", s.methods(byMethod{get: s.requireRoomAccess(s.handleRoomSocket)}))
	if len(s.cfg.DevOutbox) > 0 {
		api.Handle("/dev/outbox", s.methods(byMethod{get: s.requireAgent(s.handleDevOutbox)}))
	}
	api.NotFoundHandler = s.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, tandem.Errorf(tandem.KindNotFound, "no such API endpoint: %s %s", r.Method, r.URL.Path))
	}))

	r.Handle("/r/{token}", s.methods(byMethod{get: s.handleLink}))
	r.Handle("/brand/images/"+brandImagePattern, s.methods(byMethod{get: s.handleBrandImage}))
	if s.cfg.Web != nil {
		r.Handle("/room/"+roomIDPattern, s.methods(byMethod{get: s.servePage("room.html")}))
		r.Handle("/console", s.methods(byMethod{get: s.servePage("console.html")}))
		r.Handle("/verify", s.methods(byMethod{get: s.servePage("verify.html")}))
		r.Handle("/password/reset", s.methods(byMethod{get: s.servePage("console.html")})) // the reset email's link
		r.Handle("/invitation", s.methods(byMethod{get: s.servePage("console.html")}))     // the invitation email's link
		// The hub's address leads to the console: a newcomer who opens it
		// finds where to sign in.
		r.Handle("/", s.methods(byMethod{get: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/console", http.StatusFound)
		}}))
		r.Handle("/favicon.ico", s.methods(byMethod{get: s.serveFavicon}))
		r.PathPrefix("/static/").Handler(s.methods(byMethod{get: http.StripPrefix("/static/", http.FileServerFS(s.cfg.Web)).ServeHTTP}))
	}
	return r
}

// methodHandler serves one path: a handler per method it takes. Any
// other method answers 400 method_not_allowed, with Allow.
type methodHandler struct {
	s        *Server
	handlers byMethod
	allow    string // the methods, sorted, as Allow lists them
}

// byMethod is the handlers of one path, by method.
type byMethod map[string]http.HandlerFunc

// methods makes the handler of a path that takes the methods of handlers.
func (s *Server) methods(handlers byMethod) *methodHandler {
	h := &methodHandler{s: s, handlers: handlers}
	allow := h.Allowed()
	if handlers[http.MethodGet] != nil && handlers[http.MethodHead] == nil {
		allow = append(allow, http.MethodHead)
		slices.Sort(allow)
	}
	h.allow = strings.Join(allow, ", ")
	return h
}

// Allowed lists the methods the path has a handler for, sorted (a path
// with GET also answers HEAD).
func (h *methodHandler) Allowed() []string {
	ms := make([]string, 0, len(h.handlers))
	for m := range h.handlers {
		ms = append(ms, m)
	}
	slices.Sort(ms)
	return ms
}

// ServeHTTP runs the handler of the request's method, or answers that the
// path does not take it.
func (h *methodHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if next := h.handlers[r.Method]; next != nil {
		next(w, r)
		return
	}
	// HEAD is GET without the body (net/http drops what is written).
	if get := h.handlers[http.MethodGet]; get != nil && r.Method == http.MethodHead {
		get(w, r)
		return
	}
	w.Header().Set("Allow", h.allow)
	h.s.writeError(w, r, tandem.Coded(tandem.KindInvalid, "method_not_allowed", "%s is not allowed on %s: it takes %s", r.Method, r.URL.Path, h.allow))
}

// roomIDFrom returns the {id} of the path. Routes only match well-formed
// ids, so handlers never pass garbage to the store.
func roomIDFrom(r *http.Request) string { return mux.Vars(r)["id"] }
