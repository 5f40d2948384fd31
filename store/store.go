// Package store defines how Tandem keeps its records: accounts, users,
// sessions, password resets, rooms and their event logs, room links, the
// outbox, and which hub instances customers are connected through. The
// interfaces here are implemented by store/sqlite (the embedded default)
// and store/postgres, and both pass the conformance suite in
// store/storetest.
//
// Every method that reads or changes an account's data takes the account
// id and scopes its query by it, so no id guessed by a caller can reach
// another account's records. The few global look-ups are by secrets only
// (a token's hash) or by login email, and the hub's own housekeeping across
// accounts (claiming outbox messages, heartbeats and expired presence).
//
// Errors are *room.Error values: KindNotFound, KindConflict (a duplicate, or
// an append that does not follow the room's head) and KindGone (an expired
// or used token). Anything else is an internal error wrapped with context.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/tandemhq/tandem/room"
)

// Store is everything Tandem keeps. Implementations are safe for concurrent
// use.
type Store interface {
	// Ping reports whether the store answers; /readyz uses it.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error

	Accounts
	Users
	Sessions
	Rooms
	Links
	Outbox
	Presence
	Contacts
}

// Account is a tenant: a company using Tandem.
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// PhoneRegion is the region (ISO 3166-1 alpha-2, "US") a customer's
	// phone number is read in when it has no country code; empty means
	// DefaultPhoneRegion.
	PhoneRegion string          `json:"phone_region"`
	Settings    AccountSettings `json:"settings"`
	CreatedAt   time.Time       `json:"created_at"`
}

// AccountSettings are what an account's admin configures. The zero value
// of each field means its default; the hub validates them.
type AccountSettings struct {
	// TimeZone is an IANA zone ("Europe/Paris"); default UTC. Quiet hours
	// are in it.
	TimeZone string `json:"time_zone,omitempty"`
	// QuietStart and QuietEnd ("20:00", "08:00") bound the hours in which
	// no reminder is sent; equal or empty means none.
	QuietStart string `json:"quiet_start,omitempty"`
	QuietEnd   string `json:"quiet_end,omitempty"`
	// RemindAfterHours is how long after the invitation (or the last
	// reminder) a customer who has not opened the link is reminded;
	// RemindMax is how many reminders at most. 0 means no reminders.
	RemindAfterHours int `json:"remind_after_hours,omitempty"`
	RemindMax        int `json:"remind_max,omitempty"`
	// Templates of the messages, with placeholders {customer}, {agent},
	// {company}, {link} and {valid}; empty means Tandem's wording.
	InviteTemplate   string `json:"invite_template,omitempty"`
	ReminderTemplate string `json:"reminder_template,omitempty"`
	NoticeTemplate   string `json:"notice_template,omitempty"`
	EmailSubject     string `json:"email_subject,omitempty"`
	// ContactScope is which contacts of the address book an agent sees:
	// "all" (the default), "team" (their team's) or "own" (their own).
	// Admins see all.
	ContactScope string `json:"contact_scope,omitempty"`
}

// DefaultPhoneRegion is an account's phone region unless set.
const DefaultPhoneRegion = "US"

// Role is what a user may do in its account.
type Role string

// The roles.
const (
	RoleAdmin Role = "admin"
	RoleAgent Role = "agent"
)

// User is an agent or an admin of an account. Email is unique across all
// accounts (it is the login) and stored in lower case.
type User struct {
	ID           string    `json:"id"`
	Account      string    `json:"account"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	// Team groups agents, for accounts whose agents see their team's
	// contacts only; empty is no team.
	Team string `json:"team,omitempty"`
}

// Accounts keeps tenants.
type Accounts interface {
	CreateAccount(ctx context.Context, a Account) error
	Account(ctx context.Context, id string) (Account, error)
	// UpdateAccountSettings replaces the account's settings.
	UpdateAccountSettings(ctx context.Context, id string, s AccountSettings) error
}

// Users keeps agents and admins.
type Users interface {
	// CreateUser fails with KindConflict (code "email_taken") if the email
	// is already used by any account.
	CreateUser(ctx context.Context, u User) error
	// UserByEmail finds a user by login email, in any account.
	UserByEmail(ctx context.Context, email string) (User, error)
	User(ctx context.Context, account, id string) (User, error)
	// CountUsers counts the users of all accounts (first-start set-up).
	CountUsers(ctx context.Context) (int, error)
	SetPasswordHash(ctx context.Context, account, userID, hash string) error
}

// AuthSession is a signed-in agent. Only the hash of its token is kept.
type AuthSession struct {
	TokenHash string    `json:"-"`
	Account   string    `json:"account"`
	User      string    `json:"user"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PasswordReset is a single-use password reset token. Only its hash is kept.
type PasswordReset struct {
	TokenHash string     `json:"-"`
	Account   string     `json:"account"`
	User      string     `json:"user"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at,omitempty"`
}

// RoomSession is a customer who opened a room link: it grants access to
// that one room until it expires. Only the hash of its token is kept.
type RoomSession struct {
	TokenHash string    `json:"-"`
	Account   string    `json:"account"`
	Room      string    `json:"room"`
	Link      string    `json:"link"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Sessions keeps agents' and customers' sessions and password resets.
type Sessions interface {
	CreateAuthSession(ctx context.Context, s AuthSession) error
	// AuthSession returns the live session with the token hash: KindNotFound
	// if there is none or it has expired at now.
	AuthSession(ctx context.Context, tokenHash string, now time.Time) (AuthSession, error)
	DeleteAuthSession(ctx context.Context, tokenHash string) error
	// DeleteUserSessions signs a user out everywhere.
	DeleteUserSessions(ctx context.Context, account, userID string) error

	CreatePasswordReset(ctx context.Context, r PasswordReset) error
	// UsePasswordReset marks the reset used at now and returns it, in one
	// atomic step: of two concurrent uses exactly one succeeds. KindNotFound
	// if unknown, KindGone if expired or already used.
	UsePasswordReset(ctx context.Context, tokenHash string, now time.Time) (PasswordReset, error)

	CreateRoomSession(ctx context.Context, s RoomSession) error
	// RoomSession returns the live customer session with the token hash:
	// KindNotFound if there is none or it has expired at now.
	RoomSession(ctx context.Context, tokenHash string, now time.Time) (RoomSession, error)
}

// Change is what one command does to a room, written in one transaction:
// its events, and the links and messages that go with them, so that an
// invitation is never recorded without its link and its outbox message, or
// the other way round.
type Change struct {
	Events      []room.Event
	Links       []Link
	RevokeLinks []string // ids of links of this room revoked at the first event's time
	Messages    []Message
	// Contact, if set, is the customer the change invites: it goes in the
	// address book (merged with the contact of the same phone or email)
	// and becomes the room's contact.
	Contact *ContactUse
}

// ContactUse is a customer an agent invites, for the address book.
type ContactUse struct {
	Owner, Team        string // the agent and their team
	Name, Phone, Email string // normalised: E.164, email with its domain in lower case
	At                 time.Time
}

// Contact is an entry of an account's address book.
type Contact struct {
	ID         string    `json:"id"`
	Account    string    `json:"account"`
	Owner      string    `json:"owner"` // the agent who first invited them
	Team       string    `json:"team,omitempty"`
	Name       string    `json:"name"`
	Phone      string    `json:"phone,omitempty"`
	Email      string    `json:"email,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	LastUsedAt time.Time `json:"last_used_at"`
}

// ContactQuery filters an address book, most recently used first.
type ContactQuery struct {
	Owner  string  // only contacts of this agent, if set
	Team   *string // only contacts of this team, if set
	Search string  // in the name (any case), the phone's digits or the email
	Limit  int     // at most this many (capped at 100; default 20)
}

// Contacts keeps address books. Contacts are made through Change.Contact.
type Contacts interface {
	Contacts(ctx context.Context, account string, q ContactQuery) ([]Contact, error)
	// Contact returns one contact; KindNotFound if it is not the account's.
	Contact(ctx context.Context, account, id string) (Contact, error)
	// UpdateContact changes a contact's name, phone and email; KindConflict
	// (code contact_exists) if another contact has the phone or email.
	UpdateContact(ctx context.Context, account string, c Contact) (Contact, error)
	// ContactRooms lists the ids of the account's rooms of a contact.
	ContactRooms(ctx context.Context, account, id string) ([]string, error)
	// DeleteContact removes a contact; KindNotFound if there is none.
	DeleteContact(ctx context.Context, account, id string) error
	// RedactRoom rewrites the log of a room through redact (which must keep
	// every event's seq and type), stores the state folded from the
	// result, and appends the events then makes of that state, in one
	// transaction with the room locked; the addresses and texts of the
	// room's messages are erased, and those not sent yet will not be. It is
	// how a deleted contact's personal data leave the rooms' records, which
	// otherwise stay as they were. It returns the new state and the events
	// appended.
	RedactRoom(ctx context.Context, account, roomID string, at time.Time, redact func([]room.Event) ([]room.Event, error), then func(room.State) []room.Draft) (room.State, []room.Event, error)
}

// RoomQuery filters and pages a list of rooms, newest first.
type RoomQuery struct {
	Agent        string            // only rooms of this agent, if set
	Status       room.Status       // only rooms in this status, if set
	InviteStatus room.InviteStatus // only rooms whose invitation is in this status, if set
	// Search keeps the rooms whose customer's name or email contains it
	// (case folded), or whose phone number contains its digits when it is
	// written as a number ("415 555", "+1 (415)").
	Search string
	Before *RoomCursor // only rooms after this one in the listing
	Limit  int         // at most this many (implementations cap it at 200)
}

// ChangeQuery asks for the rooms that changed since a time: the live feed
// of an agent's page reads it when told that rooms of the account changed.
type ChangeQuery struct {
	Agent string    // only rooms of this agent, if set
	Since time.Time // rooms whose last event is at Since or later
	// AfterID, with Since, resumes a listing: rooms at Since itself come
	// only if their id is greater.
	AfterID string
	Limit   int // at most this many (implementations cap it at 200)
}

// RoomCursor is a position in a listing of rooms.
type RoomCursor struct {
	CreatedAt time.Time
	ID        string
}

// Rooms keeps rooms and their event logs. A room's state is the fold of its
// events (room.Apply): implementations keep a copy of it beside the log for
// listing, always written in the same transaction as the events that made
// it, so the two never disagree.
type Rooms interface {
	// CreateRoom writes a new room whose events start at seq 1 with
	// room.created. KindConflict if the room id exists.
	CreateRoom(ctx context.Context, account string, c Change) (room.State, error)
	// Commit appends c.Events to the room and writes the rest of c. The
	// first event must have seq head+1 and the rest follow it with no gap;
	// otherwise nothing is written and the error is KindConflict with code
	// "seq_conflict" (someone else appended first: reload and retry).
	Commit(ctx context.Context, account, roomID string, c Change) (room.State, error)
	Room(ctx context.Context, account, id string) (room.State, error)
	ListRooms(ctx context.Context, account string, q RoomQuery) ([]room.State, error)
	// ChangedRooms lists rooms of the account whose last event (UpdatedAt)
	// is at q.Since or later, oldest change first, ties by id.
	ChangedRooms(ctx context.Context, account string, q ChangeQuery) ([]room.State, error)
	// RoomsInStatus lists rooms of every account in status, by id, those
	// after the id after, at most limit: background work (reminders) walks
	// it, then acts on each room within its account.
	RoomsInStatus(ctx context.Context, status room.Status, after string, limit int) ([]room.State, error)
	// Events returns up to limit events of the room with seq > after, in
	// order. KindNotFound if the room is not in the account.
	Events(ctx context.Context, account, roomID string, after int64, limit int) ([]room.Event, error)
}

// Link is a room link sent to a customer: /r/{token}. Only the hash of the
// token is kept.
type Link struct {
	ID        string       `json:"id"`
	Account   string       `json:"account"`
	Room      string       `json:"room"`
	TokenHash string       `json:"-"`
	Channel   room.Channel `json:"channel"`
	To        string       `json:"to"`
	CreatedAt time.Time    `json:"created_at"`
	ExpiresAt time.Time    `json:"expires_at"`
	RevokedAt *time.Time   `json:"revoked_at,omitempty"`
}

// Links finds room links.
type Links interface {
	// LinkByToken returns the link with the token hash whether or not it is
	// expired or revoked (the caller tells the customer which); KindNotFound
	// if there is none.
	LinkByToken(ctx context.Context, tokenHash string) (Link, error)
	Link(ctx context.Context, account, id string) (Link, error)
}

// MessageStatus is where an outbox message stands.
type MessageStatus string

// The message statuses.
const (
	MessagePending MessageStatus = "pending"
	MessageSent    MessageStatus = "sent"
	MessageFailed  MessageStatus = "failed"
)

// Message is an SMS or email in the outbox. It is written in the same
// transaction as the event that causes it and sent afterwards by a
// dispatcher, so a crash can delay a message but never lose it.
type Message struct {
	ID        string        `json:"id"`
	Account   string        `json:"account"`
	Room      string        `json:"room,omitempty"`
	Channel   room.Channel  `json:"channel"`
	To        string        `json:"to"`
	Subject   string        `json:"subject,omitempty"`
	Body      string        `json:"body"`
	Link      string        `json:"link,omitempty"` // the URL the message carries
	LinkID    string        `json:"link_id,omitempty"`
	CreatedAt time.Time     `json:"at"`
	Status    MessageStatus `json:"status"`
	Attempts  int           `json:"attempts"`
	SentAt    *time.Time    `json:"sent_at,omitempty"`
	Error     string        `json:"error,omitempty"`
	// Provider names who took the message ("twilio", "smtp", "dev") and
	// ProviderID is its id there, once sent.
	Provider   string `json:"provider,omitempty"`
	ProviderID string `json:"provider_id,omitempty"`
}

// Outcome is the result of one attempt to send a claimed message.
type Outcome struct {
	// Status is MessageSent, MessageFailed (for good), or MessagePending
	// to retry after the lease.
	Status MessageStatus
	Error  string
	At     time.Time
	// Provider and ProviderID, for a sent message.
	Provider, ProviderID string
}

// Outbox keeps messages to send.
type Outbox interface {
	// EnqueueMessage adds a message that belongs to no room (a password
	// reset email).
	EnqueueMessage(ctx context.Context, m Message) error
	// ClaimMessages leases up to limit pending messages whose lease has run
	// out at now, for lease, and counts an attempt on each. Two dispatchers
	// never hold the same message at once.
	ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Message, error)
	// FinishMessage records the outcome of an attempt to send a claimed
	// message.
	FinishMessage(ctx context.Context, id string, o Outcome) error
	// MessageByProvider finds a sent message by its provider's id, for a
	// delivery report that names no account; KindNotFound if none.
	MessageByProvider(ctx context.Context, provider, providerID string) (Message, error)
	// Messages lists an account's messages, newest first.
	Messages(ctx context.Context, account string, limit int) ([]Message, error)
}

// PresenceChange is one hub instance taking or releasing a participant's
// presence in a room.
type PresenceChange struct {
	Instance    string
	Participant string
	// Hold is true when the instance now holds the participant (it has an
	// open connection of it in the room: its row is written) and false when
	// it released it (its last such connection closed: its row is deleted).
	Hold bool
	// At is when; it is also the time of any event appended.
	At time.Time
	// ExpiresAt is, for Hold, when the row expires unless the instance's
	// heartbeat (TouchPresence) extends it.
	ExpiresAt time.Time
	// OnlyIfExpired makes a release delete the row only if it has expired
	// at At. A reaper sets it: between ExpiredPresence listing a row and the
	// reaper releasing it, the instance's heartbeat may have extended the
	// row, and the reaper must not undo that.
	OnlyIfExpired bool
}

// PresenceRow is the presence of a participant in a room held by one hub
// instance.
type PresenceRow struct {
	Account     string    `json:"account"`
	Room        string    `json:"room"`
	Participant string    `json:"participant"`
	Instance    string    `json:"instance"`
	ConnectedAt time.Time `json:"connected_at"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// Presence keeps who is connected to a room through which hub instance, so
// that several instances agree on whether a participant is connected: it is
// while at least one instance holds it. An instance holds its rows while it
// lives, extending them with a heartbeat; the rows of an instance that died
// without releasing them expire, and whoever finds them (ExpiredPresence)
// releases them, which records the participants leaving.
type Presence interface {
	// ChangePresence applies ch to the room and, in the same transaction
	// and with the room's write lock held, calls decide with the room's
	// current state and how many instances hold ch.Participant after the
	// change. The events decide returns (sealed after s.Seq, possibly none)
	// are appended as by Commit; if decide fails, or its events do, nothing
	// is written, not even ch. It returns the room's new state and the
	// events appended, as the store keeps them.
	//
	// Holding a row already held extends it (its ConnectedAt stays);
	// releasing a row that does not exist (or, with OnlyIfExpired, has not
	// expired) changes nothing, but decide is still called: two instances
	// releasing the same row record the participant leaving once, as long
	// as decide looks at the state (room.Leave does).
	//
	// decide must be quick and must not use the store: it runs while the
	// room is locked. A nil decide appends nothing. KindNotFound (code "room_not_found") if the room is
	// not in account.
	ChangePresence(ctx context.Context, account, roomID string, ch PresenceChange, decide func(s room.State, holders int) ([]room.Event, error)) (room.State, []room.Event, error)
	// TouchPresence extends every row of instance to expiresAt: the
	// instance's heartbeat. It returns how many rows it touched, which is
	// fewer than the instance holds if some were reaped.
	TouchPresence(ctx context.Context, instance string, expiresAt time.Time) (int, error)
	// ExpiredPresence lists up to limit rows of any account that have
	// expired at now (expires_at <= now), soonest expired first: the rows
	// of instances that died.
	ExpiredPresence(ctx context.Context, now time.Time, limit int) ([]PresenceRow, error)
}

// IsUnavailable reports whether err says the store could not be reached
// (connection refused, reset or cut, a timeout) rather than that it
// refused the request: the caller may retry later, and nothing was
// written. The hub answers such errors with 503 store_unavailable.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded)
}
