package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"whet/assets"
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

// Init writes [DefaultFile] to path with mode 0644, creating its directory.
// An existing file is left alone unless force is set. The file is written
// to a temporary name and renamed, so a failure never leaves half a file.
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
			return fmt.Errorf("config init: %s already exists; use --force to overwrite it", path)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("config init: %w", err)
		}
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("config init: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".config-*.yaml")
	if err != nil {
		return fmt.Errorf("config init: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("config init: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("config init: write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("config init: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("config init: %w", err)
	}
	return nil
}
