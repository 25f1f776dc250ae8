// Package assets embeds the files whet ships: the default config, the price
// catalogue, the starter library and help pages. Everything lives under
// files/.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed files
var files embed.FS

// FS is the embedded tree rooted at files/.
func FS() fs.FS {
	sub, err := fs.Sub(files, "files")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// ReadFile reads one embedded file, e.g. "config.default.yaml".
func ReadFile(name string) ([]byte, error) { return fs.ReadFile(FS(), name) }
