package config

import (
	"errors"
	"path/filepath"
)

// Environment variables that override the default locations.
const (
	EnvConfig = "WHET_CONFIG" // the config file
	EnvDB     = "WHET_DB"     // the database file
)

// Paths are the files whet reads and writes.
type Paths struct {
	// ConfigFile is the YAML config; it need not exist.
	ConfigFile string
	// DataDir holds whet's data; the database lives here unless overridden.
	DataDir string
	// Database is the SQLite file.
	Database string
}

// DefaultPaths resolves the locations from the environment, read through
// getenv (os.Getenv in production):
//
//	ConfigFile  $WHET_CONFIG, else $XDG_CONFIG_HOME/whet/config.yaml,
//	            else $HOME/.config/whet/config.yaml
//	DataDir     $XDG_DATA_HOME/whet, else $HOME/.local/share/whet
//	Database    $WHET_DB, else <DataDir>/whet.db
//
// Relative XDG values are ignored, as the XDG spec asks. When WHET_DB is set
// and no data directory can be found, DataDir is the database's directory.
// It fails only when a location is needed and neither its XDG variable nor
// HOME is set. It creates nothing. Apply --config/--db with [Paths.WithFlags].
func DefaultPaths(getenv func(string) string) (Paths, error) {
	home := getenv("HOME")
	if home == "" {
		home = getenv("USERPROFILE")
	}
	var p Paths

	if f := getenv(EnvConfig); f != "" {
		p.ConfigFile = f
	} else {
		dir, err := xdgDir(getenv, "XDG_CONFIG_HOME", home, ".config")
		if err != nil {
			return Paths{}, err
		}
		p.ConfigFile = filepath.Join(dir, "whet", "config.yaml")
	}

	dataHome, dataErr := xdgDir(getenv, "XDG_DATA_HOME", home, filepath.Join(".local", "share"))
	if dataErr == nil {
		p.DataDir = filepath.Join(dataHome, "whet")
	}
	if db := getenv(EnvDB); db != "" {
		p.Database = db
		if dataErr != nil {
			p.DataDir = filepath.Dir(db)
		}
		return p, nil
	}
	if dataErr != nil {
		return Paths{}, dataErr
	}
	p.Database = filepath.Join(p.DataDir, "whet.db")
	return p, nil
}

// WithFlags returns p with the --config and --db flag values applied; an
// empty flag leaves its path as it was. Flags beat the environment.
func (p Paths) WithFlags(configFile, database string) Paths {
	if configFile != "" {
		p.ConfigFile = configFile
	}
	if database != "" {
		p.Database = database
	}
	return p
}

// xdgDir returns $env when it is an absolute path, else home/fallback.
func xdgDir(getenv func(string) string, env, home, fallback string) (string, error) {
	if d := getenv(env); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	if home == "" {
		return "", errors.New("cannot locate the home directory: set HOME or " + env)
	}
	return filepath.Join(home, fallback), nil
}
