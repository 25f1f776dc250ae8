// Package config reads whet's YAML config file, the environment and the XDG
// paths. It is the input of the target registry; it never holds an API key:
// providers name where a key comes from (an environment variable or a
// command), and the key is read at call time by the runner.
//
// # Where things live
//
// [DefaultPaths] resolves, with flags beating the environment:
//
//	config file  --config, $WHET_CONFIG, $XDG_CONFIG_HOME/whet/config.yaml,
//	             ~/.config/whet/config.yaml
//	database     --db, $WHET_DB, $XDG_DATA_HOME/whet/whet.db,
//	             ~/.local/share/whet/whet.db
//
// # The file
//
// One YAML document, every key optional; a missing file means the built-in
// defaults ([Load]), though whet refuses a missing one that --config or
// $WHET_CONFIG names. `whet config init` writes a commented starting point
// ([DefaultFile]).
//
//	author: Ada                       # default: $USER
//	protected_tags: [production]      # default: [production]; [] protects none
//	theme: dark                       # default: picked from the terminal
//	targets: [ollama:llama3.2, fast]  # default targets of `whet run`
//	aliases:                          # short names for provider:model
//	  fast: groq:llama-3.1-8b-instant
//	  dry: echo
//	providers:
//	  groq:                           # a name of your choosing
//	    type: openai                  # ollama|openai|anthropic|gemini|echo
//	    base_url: https://api.groq.com/openai/v1
//	    api_key_env: GROQ_API_KEY     # or api_key_cmd: "pass show groq"
//	    headers: {X-Title: whet}
//	    concurrency: 8                # 0 = default (ollama 1, hosted 8)
//	    timeout: 2m                   # 0 = default (ollama 5m, hosted 2m)
//	    keep_alive: 10m               # ollama only; negative keeps it loaded
//	    models: [llama-3.1-8b-instant]
//	    prices:                       # USD per 1M tokens
//	      llama-3.1-8b-instant: {input: 0.05, output: 0.08}
//
// Decoding is strict: an unknown key is an error (with a suggestion when it
// looks like a typo). Every problem in a file is reported in one pass, each
// as file:line:col: field: message ([Problem], [ProblemsError]).
//
// Provider and alias names are case-insensitive and stored in lower case;
// they may hold letters, digits, '.', '_' and '-'. The built-in providers
// ollama, openai, anthropic, gemini and echo exist without any config; an
// entry of the same name overrides their fields ([Config.Provider]).
//
// Durations are strings with a unit ("30s", "5m", "1h30m"). Anchors, aliases
// and merge keys (<<) work as in any YAML file.
//
// # Environment expansion
//
// String values may use ${VAR} and ${VAR:-default}; $$ is a literal $. A
// variable that is unset or empty and has no default is an error. Expansion
// happens once, after parsing, so a value cannot inject YAML structure.
//
// # Keys
//
// A literal key is refused wherever it is written (an api_key field, an
// Authorization-like header): keys come from api_key_env (the name of an
// environment variable) or api_key_cmd (a command whose trimmed stdout is the
// key). Error messages never repeat the value of such a field.
//
// # Precedence
//
// flags > environment > config file > built-in defaults.
package config
