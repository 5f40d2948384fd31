package app

import (
	"context"

	"github.com/tandemhq/tandem/room"
)

// originKey is the context key of the request's origin.
type originKey struct{}

// WithOrigin returns ctx carrying o, where the request that ctx serves
// came from: the commit path stamps it on the events it appends for a
// person (not the system's).
func WithOrigin(ctx context.Context, o room.Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginFrom returns the origin ctx carries, or nil if it carries none.
func OriginFrom(ctx context.Context) *room.Origin {
	o, ok := ctx.Value(originKey{}).(room.Origin)
	if !ok {
		return nil
	}
	return &o
}
