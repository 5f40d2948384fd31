package tandem

// Page sizes of listings. The API and the stores use the same values: a
// reader that gets a page shorter than the most it asked for knows it has
// reached the end, so the two must agree.
const (
	// MaxEventsPage is the most events one read of a room's log returns,
	// and what it returns when asked for no particular number.
	MaxEventsPage = 1000
	// DefaultRoomsPage and MaxRoomsPage bound a listing of rooms.
	DefaultRoomsPage = 50
	MaxRoomsPage     = 200
	// DefaultContactsPage and MaxContactsPage bound a listing of contacts.
	DefaultContactsPage = 20
	MaxContactsPage     = 100
	// DefaultAssetsPage and MaxAssetsPage bound a listing of assets;
	// MaxAssetFolders the folders listed with it.
	DefaultAssetsPage = 100
	MaxAssetsPage     = 200
	MaxAssetFolders   = 1000
	// MaxExpiredPresence is the most expired presence rows one read lists.
	MaxExpiredPresence = 1000
)

// PageSize is a listing's limit: def when none is asked (asked <= 0), at
// most most.
func PageSize(asked, def, most int) int {
	if asked <= 0 {
		return def
	}
	return min(asked, most)
}
