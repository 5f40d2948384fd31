package app

import (
	"context"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// MaxContactSearchLen bounds a search of the address book.
const MaxContactSearchLen = 100

// contactScope is the part of the address book c sees: all of it, their
// team's or their own, as the account says; admins see all.
func (a *App) contactScope(ctx context.Context, c Caller) (store.ContactQuery, error) {
	acct, err := a.store.Account(ctx, c.Account())
	if err != nil {
		return store.ContactQuery{}, err
	}
	var q store.ContactQuery
	if c.User == nil || c.Admin() {
		return q, nil
	}
	q.Owner, q.Team = tandem.ContactScopeOf(acct.Settings, *c.User)
	return q, nil
}

// inviter is who invites a customer, as the address book records it:
// the agent, their team, and the part of the book whose contacts they may
// update, which is the part they see.
type inviter struct {
	agent    room.Actor
	team     string
	editable store.ContactScope
}

// inviter is c inviting a customer.
func (a *App) inviter(ctx context.Context, c Caller) (inviter, error) {
	q, err := a.contactScope(ctx, c)
	if err != nil {
		return inviter{}, err
	}
	return inviter{agent: c.Actor(), team: c.Team(), editable: store.ContactScope{Owner: q.Owner, Team: q.Team}}, nil
}

// visibleContact returns the contact id if c may see it; KindNotFound
// otherwise, as for a contact of another account.
func (a *App) visibleContact(ctx context.Context, c Caller, id string) (tandem.Contact, error) {
	ct, err := a.store.Contact(ctx, c.Account(), id)
	if err != nil {
		return ct, err
	}
	q, err := a.contactScope(ctx, c)
	if err != nil {
		return ct, err
	}
	if (q.Owner != "" && ct.Owner != q.Owner) || (q.Team != nil && ct.Team != *q.Team) {
		return tandem.Contact{}, tandem.Coded(tandem.KindNotFound, "contact_not_found", "no contact %s in your address book", id)
	}
	return ct, nil
}

// Contacts is the caller's address book, most recently used first,
// searched by name, phone or email.
func (a *App) Contacts(ctx context.Context, c Caller, search string, limit int) ([]tandem.Contact, error) {
	if len(search) > MaxContactSearchLen {
		return nil, tandem.Errorf(tandem.KindInvalid, "q must be at most %d bytes", MaxContactSearchLen)
	}
	if !storable(search) {
		return nil, tandem.Errorf(tandem.KindInvalid, "q must be UTF-8 text without NUL characters")
	}
	q, err := a.contactScope(ctx, c)
	if err != nil {
		return nil, err
	}
	q.Search, q.Limit = search, limit
	return a.store.Contacts(ctx, c.Account(), q)
}

// Contact is one contact the caller may see.
func (a *App) Contact(ctx context.Context, c Caller, id string) (tandem.Contact, error) {
	return a.visibleContact(ctx, c, id)
}

// ContactPatch changes a contact's name, phone and email, each if set.
type ContactPatch struct {
	Name  *string `json:"name"`
	Phone *string `json:"phone"`
	Email *string `json:"email"`
}

// UpdateContact applies patch; the result must still have a phone or an
// email.
func (a *App) UpdateContact(ctx context.Context, c Caller, id string, patch ContactPatch) (tandem.Contact, error) {
	ct, err := a.visibleContact(ctx, c, id)
	if err != nil {
		return ct, err
	}
	cust := room.Customer{Name: ct.Name, Phone: ct.Phone, Email: ct.Email}
	if patch.Name != nil {
		cust.Name = *patch.Name
	}
	if patch.Email != nil {
		cust.Email = *patch.Email
	}
	if patch.Phone != nil {
		if cust.Phone, err = a.accountPhone(ctx, c.Account(), *patch.Phone); err != nil {
			return ct, err
		}
	}
	if cust, err = room.ValidateCustomer(cust); err != nil {
		return ct, err
	}
	if cust.Phone == "" && cust.Email == "" {
		return ct, tandem.Coded(tandem.KindInvalid, "contact_required", "a contact needs a phone number or an email")
	}
	ct.Name, ct.Phone, ct.Email, ct.UpdatedAt = cust.Name, cust.Phone, cust.Email, a.now()
	got, err := a.store.UpdateContact(ctx, c.Account(), ct)
	if tandem.ErrorCode(err) == "contact_exists" {
		// The book holds one contact per person for the whole account, so
		// a phone or email already there is refused whoever's contact has
		// it. The answer is the same whether c may see that contact or not,
		// and names nothing of it.
		return tandem.Contact{}, tandem.Coded(tandem.KindConflict, "contact_exists",
			"this phone number or email is already on another contact of the account (one contact per person)")
	}
	return got, err
}
