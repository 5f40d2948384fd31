package hub

import (
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Limits of an account's settings.
const (
	maxRemindAfterHours = 30 * 24
	maxReminders        = 10
	maxTemplateLen      = 1000
)

// The default wording of messages, with the placeholders of templates.
const (
	defaultInvite       = "Hi {customer}, {agent} from {company} invited you to a secure room: {link} (valid {valid})"
	defaultReminder     = "Hi {customer}, a reminder: {agent} from {company} is waiting for you in your secure room: {link} (valid {valid})"
	defaultNotice       = "Hi {customer}, {agent} from {company} added something new to your secure room: {link} (valid {valid})"
	defaultEmailSubject = "{company}: your secure room with {agent}"
)

var placeholder = regexp.MustCompile(`\{[^{}]*\}`)

// placeholders are those a template may use.
var placeholders = map[string]bool{"{customer}": true, "{agent}": true, "{company}": true, "{link}": true, "{valid}": true}

// validateSettings checks an account's settings, field by field, with a
// message naming the field at fault.
func validateSettings(s store.AccountSettings) (store.AccountSettings, error) {
	bad := func(format string, args ...any) (store.AccountSettings, error) {
		return s, room.Coded(room.KindInvalid, "invalid_settings", format, args...)
	}
	s.TimeZone = strings.TrimSpace(s.TimeZone)
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "Local" {
			return bad("time_zone %q is not an IANA time zone such as Europe/Paris or America/New_York", s.TimeZone)
		}
	}
	if (s.QuietStart == "") != (s.QuietEnd == "") {
		return bad("quiet_start and quiet_end go together")
	}
	for _, f := range []struct{ name, v string }{{"quiet_start", s.QuietStart}, {"quiet_end", s.QuietEnd}} {
		if _, err := clock(f.v); f.v != "" && err != nil {
			return bad("%s %q must be a time of day as HH:MM, such as 20:00", f.name, f.v)
		}
	}
	if s.RemindAfterHours < 0 || s.RemindAfterHours > maxRemindAfterHours {
		return bad("remind_after_hours must be between 1 and %d (0: no reminders)", maxRemindAfterHours)
	}
	if s.RemindMax < 0 || s.RemindMax > maxReminders {
		return bad("remind_max must be between 1 and %d (0: no reminders)", maxReminders)
	}
	switch s.ContactScope {
	case "", "all", "team", "own":
	default:
		return bad("contact_scope must be all, team or own, not %q", s.ContactScope)
	}
	if (s.RemindAfterHours == 0) != (s.RemindMax == 0) {
		return bad("remind_after_hours and remind_max go together: set both, or neither for no reminders")
	}
	for _, f := range []struct {
		name, v  string
		needLink bool
	}{{"invite_template", s.InviteTemplate, true}, {"reminder_template", s.ReminderTemplate, true}, {"notice_template", s.NoticeTemplate, true},
		{"email_subject", s.EmailSubject, false}} {
		if f.v == "" {
			continue
		}
		if !utf8.ValidString(f.v) || utf8.RuneCountInString(f.v) > maxTemplateLen {
			return bad("%s must be at most %d characters", f.name, maxTemplateLen)
		}
		for _, p := range placeholder.FindAllString(f.v, -1) {
			if !placeholders[p] {
				return bad("%s uses %s; the placeholders are {customer}, {agent}, {company}, {link} and {valid}", f.name, p)
			}
		}
		if f.needLink && !strings.Contains(f.v, "{link}") {
			return bad("%s must contain {link}: the message is how the customer gets to the room", f.name)
		}
		if !f.needLink && strings.ContainsAny(f.v, "\r\n") {
			return bad("%s must be one line", f.name)
		}
	}
	return s, nil
}

// clock reads "HH:MM" as minutes after midnight.
func clock(v string) (int, error) {
	t, err := time.Parse("15:04", v)
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// location is the account's time zone; UTC if unset or unknown.
func location(s store.AccountSettings) *time.Location {
	if s.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// quiet reports whether now falls in the account's quiet hours, in its
// time zone. Quiet hours may span midnight (20:00 to 08:00).
func quiet(s store.AccountSettings, now time.Time) bool {
	start, err1 := clock(s.QuietStart)
	end, err2 := clock(s.QuietEnd)
	if err1 != nil || err2 != nil || start == end {
		return false
	}
	local := now.In(location(s))
	m := local.Hour()*60 + local.Minute()
	if start < end {
		return m >= start && m < end
	}
	return m >= start || m < end
}

// render fills a template's placeholders.
func render(tmpl string, vars map[string]string) string {
	return placeholder.ReplaceAllStringFunc(tmpl, func(p string) string {
		if v, ok := vars[p]; ok {
			return v
		}
		return p
	})
}

// or returns v, or def if v is empty.
func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// handleSettings serves GET /api/v1/account/settings: any agent of the
// account may read them.
func (h *Hub) handleSettings(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	a, err := h.store.Account(r.Context(), p.account())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.Settings)
}

// handlePutSettings serves PUT /api/v1/account/settings: an admin replaces
// the account's settings.
func (h *Hub) handlePutSettings(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	if p.user == nil || p.user.Role != store.RoleAdmin {
		h.writeError(w, r, room.Errorf(room.KindForbidden, "only an admin of the account may change its settings"))
		return
	}
	var s store.AccountSettings
	if err := decode(w, r, &s); err != nil {
		h.writeError(w, r, err)
		return
	}
	s, err := validateSettings(s)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.store.UpdateAccountSettings(r.Context(), p.account(), s); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

// messageKind is what a message carrying a room link is for.
type messageKind int

const (
	inviteMessage messageKind = iota
	reminderMessage
	noticeMessage
)

// messageText renders a message of kind to cust, from the account's
// templates.
func messageText(set store.AccountSettings, kind messageKind, cust room.Customer, agent, company, link string, ttl time.Duration) (subject, body string) {
	first, _, _ := strings.Cut(cust.Name, " ")
	vars := map[string]string{"{customer}": first, "{agent}": agent, "{company}": company, "{link}": link, "{valid}": humanDuration(ttl)}
	tmpl := or(set.InviteTemplate, defaultInvite)
	switch kind {
	case reminderMessage:
		tmpl = or(set.ReminderTemplate, defaultReminder)
	case noticeMessage:
		tmpl = or(set.NoticeTemplate, defaultNotice)
	}
	return render(or(set.EmailSubject, defaultEmailSubject), vars), render(tmpl, vars)
}
