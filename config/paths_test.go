package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// env turns a map into a getenv function.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaultPaths(t *testing.T) {
	home := filepath.FromSlash("/home/ada")
	xc := filepath.FromSlash("/xdg/config")
	xd := filepath.FromSlash("/xdg/data")
	tests := []struct {
		name    string
		env     map[string]string
		want    Paths
		wantErr string
	}{
		{
			name: "home fallbacks",
			env:  map[string]string{"HOME": home},
			want: Paths{
				ConfigFile: filepath.Join(home, ".config", "whet", "config.yaml"),
				DataDir:    filepath.Join(home, ".local", "share", "whet"),
				Database:   filepath.Join(home, ".local", "share", "whet", "whet.db"),
			},
		},
		{
			name: "xdg dirs win over home",
			env:  map[string]string{"HOME": home, "XDG_CONFIG_HOME": xc, "XDG_DATA_HOME": xd},
			want: Paths{
				ConfigFile: filepath.Join(xc, "whet", "config.yaml"),
				DataDir:    filepath.Join(xd, "whet"),
				Database:   filepath.Join(xd, "whet", "whet.db"),
			},
		},
		{
			name: "relative xdg dirs are ignored",
			env:  map[string]string{"HOME": home, "XDG_CONFIG_HOME": "rel/config", "XDG_DATA_HOME": "rel/data"},
			want: Paths{
				ConfigFile: filepath.Join(home, ".config", "whet", "config.yaml"),
				DataDir:    filepath.Join(home, ".local", "share", "whet"),
				Database:   filepath.Join(home, ".local", "share", "whet", "whet.db"),
			},
		},
		{
			name: "WHET_CONFIG and WHET_DB override",
			env:  map[string]string{"HOME": home, "XDG_DATA_HOME": xd, "WHET_CONFIG": "my.yaml", "WHET_DB": "my.db"},
			want: Paths{ConfigFile: "my.yaml", DataDir: filepath.Join(xd, "whet"), Database: "my.db"},
		},
		{
			name: "no home but every xdg dir set",
			env:  map[string]string{"XDG_CONFIG_HOME": xc, "XDG_DATA_HOME": xd},
			want: Paths{
				ConfigFile: filepath.Join(xc, "whet", "config.yaml"),
				DataDir:    filepath.Join(xd, "whet"),
				Database:   filepath.Join(xd, "whet", "whet.db"),
			},
		},
		{
			name: "no home, WHET_DB gives the data dir",
			env:  map[string]string{"XDG_CONFIG_HOME": xc, "WHET_DB": filepath.Join(xd, "x.db")},
			want: Paths{ConfigFile: filepath.Join(xc, "whet", "config.yaml"), DataDir: xd, Database: filepath.Join(xd, "x.db")},
		},
		{
			name:    "no home, no config dir",
			env:     map[string]string{"XDG_DATA_HOME": xd},
			wantErr: "XDG_CONFIG_HOME",
		},
		{
			name:    "no home, no data dir",
			env:     map[string]string{"XDG_CONFIG_HOME": xc},
			wantErr: "XDG_DATA_HOME",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DefaultPaths(env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestWithFlagsBeatEnv(t *testing.T) {
	p, err := DefaultPaths(env(map[string]string{"HOME": "/h", "WHET_CONFIG": "env.yaml", "WHET_DB": "env.db"}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		cfg, db         string
		wantCfg, wantDB string
	}{
		{"", "", "env.yaml", "env.db"},
		{"flag.yaml", "", "flag.yaml", "env.db"},
		{"", "flag.db", "env.yaml", "flag.db"},
		{"flag.yaml", "flag.db", "flag.yaml", "flag.db"},
	}
	for _, tt := range tests {
		got := p.WithFlags(tt.cfg, tt.db)
		if got.ConfigFile != tt.wantCfg || got.Database != tt.wantDB || got.DataDir != p.DataDir {
			t.Errorf("WithFlags(%q, %q) = %+v, want config %q db %q", tt.cfg, tt.db, got, tt.wantCfg, tt.wantDB)
		}
	}
}
