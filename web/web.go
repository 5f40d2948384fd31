// Package web holds Tandem's pages, embedded in the binary: today the
// customer's room page and the hub's front page. The hub serves them with
// the same API everyone else uses; they hold no logic of their own.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var files embed.FS

// FS returns the pages and their assets: index.html, room.html and the
// files served under /static/.
func FS() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic("web: " + err.Error()) // the folder is embedded at build time
	}
	return sub
}
