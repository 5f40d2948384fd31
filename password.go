package tandem

// Password rules: at least 8 characters, as people expect today, and at
// most 72 bytes, bcrypt's limit (longer input would be silently cut).
const (
	MinPassword = 8
	MaxPassword = 72
)

// CheckPassword applies the password rules: 8 characters at least, 72 bytes
// at most.
func CheckPassword(pw string) error {
	if len([]rune(pw)) < MinPassword {
		return Coded(KindInvalid, "password_too_short", "the password must have at least %d characters", MinPassword)
	}
	if len(pw) > MaxPassword {
		return Coded(KindInvalid, "password_too_long", "the password must be at most %d bytes", MaxPassword)
	}
	return nil
}
