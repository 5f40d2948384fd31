package postgres

import "testing"

func TestWithBinaryParameters(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://u:p%40ss@db:5432/tandem?sslmode=disable", "postgres://u:p%40ss@db:5432/tandem?binary_parameters=yes&sslmode=disable"},
		{"postgresql://db/tandem", "postgresql://db/tandem?binary_parameters=yes"},
		{"postgres://db/tandem?binary_parameters=no", "postgres://db/tandem?binary_parameters=no"},
		{"host=db dbname=tandem", "host=db dbname=tandem binary_parameters=yes"},
		{"", "binary_parameters=yes"},
	} {
		if got := withBinaryParameters(tc.in); got != tc.want {
			t.Errorf("withBinaryParameters(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
