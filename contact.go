package tandem

import "time"

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

// Contact scopes: which contacts of the address book an agent sees
// (AccountSettings.ContactScope). Admins see all.
const (
	ScopeAll  = "all"
	ScopeTeam = "team"
	ScopeOwn  = "own"
)

// ContactScopeOf is the part of the address book agent u sees under the
// account's settings s: only the contacts u owns (owner set), only those of
// a team (team set), or all of them (neither). An agent of no team sees
// their own under the team scope.
func ContactScopeOf(s AccountSettings, u User) (owner string, team *string) {
	switch s.ContactScope {
	case ScopeOwn:
		return u.ID, nil
	case ScopeTeam:
		if u.Team == "" {
			return u.ID, nil
		}
		t := u.Team
		return "", &t
	}
	return "", nil
}
