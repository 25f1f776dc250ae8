package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"whet/assets"
	"whet/outfile"
)

// defaultFileName is the shipped config under assets/files.
const defaultFileName = "config.default.yaml"

// DefaultFile returns the commented default config that `whet config init`
// writes. It loads cleanly with any environment. It is never empty in a
// correct build (a test guards that); nil means the asset is missing.
func DefaultFile() []byte {
	b, err := assets.ReadFile(defaultFileName)
	if err != nil {
		return nil
	}
	return b
}

// Init writes [DefaultFile] to path, creating its directory. An existing
// file is left alone unless force is set (the error then satisfies
// errors.Is(err, fs.ErrExist)); replaced, it keeps its mode, and
// a new one gets 0666 less the umask (0644 usually). The file is written
// whole or not at all (outfile.WriteFile).
func Init(path string, force bool) error {
	if path == "" {
		return errors.New("config init: no path given")
	}
	data := DefaultFile()
	if len(data) == 0 {
		return errors.New("config init: the default config is missing from this build")
	}
	if !force {
		_, err := os.Lstat(path)
		if err == nil {
			return existsError{path}
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("config init: %w", err)
		}
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("config init: %w", err)
	}
	if err := outfile.WriteFile(path, data); err != nil {
		return fmt.Errorf("config init: %w", err)
	}
	return nil
}

// existsError is Init's refusal to write over a file: errors.Is(err,
// fs.ErrExist) holds for it.
type existsError struct{ path string }

func (e existsError) Error() string {
	return "config init: " + e.path + " already exists; use --force to overwrite it"
}

func (e existsError) Is(target error) bool { return target == fs.ErrExist }
