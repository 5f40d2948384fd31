package tandem

import "time"

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
	// EmailSignedCopy sends the customer, when they were invited by
	// email, the signed PDF of each document they complete, once it is
	// sealed.
	EmailSignedCopy bool `json:"email_signed_copy,omitempty"`
	// Currency is the ISO 4217 code payment requests are in unless the
	// agent picks another; default USD.
	Currency string `json:"currency,omitempty"`
	// AccentColor is the brand's color ("#1f5fbf"), on buttons and links
	// of the sign-in page, the console and the customer's room: white text
	// sits on it, so it contrasts with white at least 4.5:1. Empty is
	// Tandem's.
	AccentColor string `json:"accent_color,omitempty"`
	// HelpLine is one line at the foot of the customer's room, such as
	// "Questions? Call 1-800-555-0100, Mon–Fri 9–5".
	HelpLine string `json:"help_line,omitempty"`
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
	// DeactivatedAt is when an admin deactivated the user, who can then
	// no longer sign in; nil while active.
	DeactivatedAt *time.Time `json:"deactivated_at,omitempty"`
}

// Active reports whether the user may sign in.
func (u User) Active() bool { return u.DeactivatedAt == nil }

// Invited reports whether the user was invited and has not chosen a
// password yet.
func (u User) Invited() bool { return u.PasswordHash == "" }

// MaxTeam is the longest team name, in bytes.
const MaxTeam = 100
