package hub

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// contactScope is the part of the address book p sees: all of it, their
// team's or their own, as the account says; admins see all.
func (h *Hub) contactScope(ctx context.Context, p principal) (store.ContactQuery, error) {
	a, err := h.store.Account(ctx, p.account())
	if err != nil {
		return store.ContactQuery{}, err
	}
	var q store.ContactQuery
	if p.user == nil || p.user.Role == store.RoleAdmin {
		return q, nil
	}
	switch a.Settings.ContactScope {
	case "own":
		q.Owner = p.user.ID
	case "team":
		if p.user.Team == "" {
			q.Owner = p.user.ID // no team: their own
		} else {
			team := p.user.Team
			q.Team = &team
		}
	}
	return q, nil
}

// visibleContact returns the contact id if p may see it; KindNotFound
// otherwise, as for a contact of another account.
func (h *Hub) visibleContact(ctx context.Context, p principal, id string) (store.Contact, error) {
	c, err := h.store.Contact(ctx, p.account(), id)
	if err != nil {
		return c, err
	}
	q, err := h.contactScope(ctx, p)
	if err != nil {
		return c, err
	}
	if (q.Owner != "" && c.Owner != q.Owner) || (q.Team != nil && c.Team != *q.Team) {
		return store.Contact{}, room.Coded(room.KindNotFound, "contact_not_found", "no contact %s in your address book", id)
	}
	return c, nil
}

// handleContacts serves GET /api/v1/contacts?q=…&limit=…: the address
// book, most recently used first, searched by name, phone or email.
func (h *Hub) handleContacts(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	q, err := h.contactScope(r.Context(), p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	q.Search = r.URL.Query().Get("q")
	if len(q.Search) > 100 {
		h.writeError(w, r, room.Errorf(room.KindInvalid, "q must be at most 100 bytes"))
		return
	}
	if l := r.URL.Query().Get("limit"); l != "" {
		if q.Limit, err = strconv.Atoi(l); err != nil || q.Limit < 1 {
			h.writeError(w, r, room.Errorf(room.KindInvalid, "limit must be a positive number"))
			return
		}
	}
	cs, err := h.store.Contacts(r.Context(), p.account(), q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"contacts": cs})
}

func (h *Hub) handleContact(w http.ResponseWriter, r *http.Request) {
	c, err := h.visibleContact(r.Context(), principalFrom(r.Context()), mux.Vars(r)["id"])
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// handleUpdateContact serves PATCH /api/v1/contacts/{id}: name, phone and
// email, each optional; the result must still have a phone or an email.
func (h *Hub) handleUpdateContact(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	var req struct {
		Name  *string `json:"name"`
		Phone *string `json:"phone"`
		Email *string `json:"email"`
	}
	if err := decode(w, r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	c, err := h.visibleContact(r.Context(), p, mux.Vars(r)["id"])
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	cust := room.Customer{Name: c.Name, Phone: c.Phone, Email: c.Email}
	if req.Name != nil {
		cust.Name = *req.Name
	}
	if req.Email != nil {
		cust.Email = *req.Email
	}
	if req.Phone != nil {
		if cust.Phone, err = h.accountPhone(r.Context(), p.account(), *req.Phone); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	if cust, err = room.ValidateCustomer(cust); err != nil {
		h.writeError(w, r, err)
		return
	}
	if cust.Phone == "" && cust.Email == "" {
		h.writeError(w, r, room.Coded(room.KindInvalid, "contact_required", "a contact needs a phone number or an email"))
		return
	}
	c.Name, c.Phone, c.Email, c.UpdatedAt = cust.Name, cust.Phone, cust.Email, h.now()
	if c, err = h.store.UpdateContact(r.Context(), p.account(), c); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// handleDeleteContact serves DELETE /api/v1/contacts/{id}: the contact
// leaves the address book, and its personal data leave the records of its
// rooms, which otherwise stay whole (every event, masked where it named
// the customer); each room records room.contact_erased.
func (h *Hub) handleDeleteContact(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	ctx := r.Context()
	c, err := h.visibleContact(ctx, p, mux.Vars(r)["id"])
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	rooms, err := h.store.ContactRooms(ctx, p.account(), c.ID)
	if err != nil {
		h.writeError(w, r, classify(err))
		return
	}
	// Rooms first, the contact last: a failure half-way leaves the contact
	// there to delete again, and redacting a room twice changes nothing.
	for _, id := range rooms {
		if err := h.eraseFromRoom(ctx, p, id, c.ID); err != nil {
			h.writeError(w, r, classify(err))
			return
		}
	}
	if err := h.store.DeleteContact(ctx, p.account(), c.ID); err != nil {
		h.writeError(w, r, classify(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// eraseFromRoom masks the customer in the records of room roomID and
// records it in the room's log, in one store transaction: a command
// decided on the room before it (a reminder with the old address, on
// another instance) then fails its seq check instead of writing it again.
func (h *Hub) eraseFromRoom(ctx context.Context, p principal, roomID, contact string) error {
	defer h.writers.lock(roomID)()
	_, evs, err := h.store.RedactRoom(ctx, p.account(), roomID, h.now(), room.Redact, func(s room.State) []room.Draft {
		return room.EraseContact(s, p.actor(), contact)
	})
	if err != nil {
		return err
	}
	h.published(p.account(), evs, false)
	return nil
}
