package cli

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"whet/store"
)

// scriptCmds are the custom testscript commands: local fake servers that
// speak the real wire formats, and a Markdown table checker.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"fakeollama": cmdFakeOllama,
	"fakeopenai": cmdFakeOpenAI,
	"mdtables":   cmdMDTables,
	"dbschema":   cmdDBSchema,
	"dbexec":     cmdDBExec,
	"readonly":   cmdReadOnly,
}

type chatMsg struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

func lastUser(msgs []chatMsg) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == "user" {
			return msgs[i].Content
		}
	}
	return ""
}

// chunks splits s into word-sized pieces.
func chunks(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s[1:], ' ')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// cmdFakeOllama starts an Ollama server (NDJSON /api/chat, /api/tags), its
// bytes as a real Ollama 0.17 server sends them, and points OLLAMA_HOST at
// it. Flags: -delay D between chunks, -models a,b.
// The reply is "ollama says: " + the last user message.
func cmdFakeOllama(ts *testscript.TestScript, neg bool, args []string) {
	delay := time.Duration(0)
	models := []string{"llama3.2:latest"}
	digest := "a80c4f17acd5" // digests are this followed by the model's index
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-delay":
			i++
			d, err := time.ParseDuration(args[i])
			ts.Check(err)
			delay = d
		case "-models":
			i++
			models = strings.Split(args[i], ",")
		case "-digest":
			i++
			digest = args[i]
		}
	}
	known := func(name string) (string, bool) {
		for _, m := range models {
			if m == name || strings.TrimSuffix(m, ":latest") == name {
				return m, true
			}
		}
		return "", false
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/tags", func(w http.ResponseWriter, r *http.Request) {
		type detail struct {
			ParentModel       string   `json:"parent_model"`
			Format            string   `json:"format"`
			Family            string   `json:"family"`
			Families          []string `json:"families"`
			ParameterSize     string   `json:"parameter_size"`
			QuantizationLevel string   `json:"quantization_level"`
		}
		type model struct {
			Name       string    `json:"name"`
			Model      string    `json:"model"`
			ModifiedAt time.Time `json:"modified_at"`
			Size       int64     `json:"size"`
			Digest     string    `json:"digest"`
			Details    detail    `json:"details"`
		}
		var list []model
		for i, m := range models {
			list = append(list, model{Name: m, Model: m, ModifiedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Size: 2019393189 + int64(i),
				Digest: fmt.Sprintf("%s%0*d", digest, 64-len(digest), i), Details: detail{Format: "gguf", Family: "llama", Families: []string{"llama"}, ParameterSize: "3.2B", QuantizationLevel: "Q4_K_M"}})
		}
		json.NewEncoder(w).Encode(map[string]any{"models": list})
	})
	mux.HandleFunc("POST /api/chat", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model    string    `json:"model"`
			Messages []chatMsg `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		_, ok := known(req.Model)
		if !ok {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"error":"model '%s' not found"}`, req.Model)
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		flusher, _ := w.(http.Flusher)
		// Ollama answers with the name it was sent ("llama3.2", not
		// "llama3.2:latest").
		name := req.Model
		reply := "ollama says: " + lastUser(req.Messages)
		parts := chunks(reply)
		for _, c := range parts {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(delay):
			}
			enc.Encode(map[string]any{"model": name, "created_at": time.Now().UTC(), "message": map[string]string{"role": "assistant", "content": c}, "done": false})
			if flusher != nil {
				flusher.Flush()
			}
		}
		enc.Encode(map[string]any{"model": name, "created_at": time.Now().UTC(), "message": map[string]string{"role": "assistant", "content": ""},
			"done": true, "done_reason": "stop", "total_duration": 1500000000, "load_duration": 200000000,
			"prompt_eval_count": 12, "prompt_eval_duration": 100000000, "eval_count": len(parts), "eval_duration": 1000000000})
	})
	srv := httptest.NewServer(mux)
	ts.Defer(srv.Close)
	ts.Setenv("OLLAMA_HOST", srv.URL)
}

// cmdFakeOpenAI starts an OpenAI-compatible server (SSE chat completions
// with the usage chunk, /models) and sets OPENAI_BASE_URL and a dummy
// OPENAI_API_KEY. Flag -fail N: answer the first N calls with 429 and
// Retry-After: 0; -status S answers them with S instead, and -message M
// puts M in their error body as the inside of a JSON string (so \u001b
// there reaches whet as an ESC). -fingerprint FP sets the
// system_fingerprint; -say TEXT what each answer starts with; -answer
// TEXT the whole of every answer (a judge's verdict); -log FILE appends a
// line to FILE for each chat call.
func cmdFakeOpenAI(ts *testscript.TestScript, neg bool, args []string) {
	fail, status, message := 0, http.StatusTooManyRequests, "Rate limit reached"
	fingerprint, say := "fp_44709d6fcb", "openai says: "
	answer, logFile := "", ""
	for i := 0; i+1 < len(args); i += 2 {
		switch args[i] {
		case "-fail":
			fmt.Sscan(args[i+1], &fail)
		case "-status":
			fmt.Sscan(args[i+1], &status)
		case "-message":
			message = args[i+1]
		case "-fingerprint": // the system_fingerprint every chunk carries
			fingerprint = args[i+1]
		case "-say": // what each answer starts with, before the last user message
			say = args[i+1]
		case "-answer":
			answer = args[i+1]
		case "-log":
			logFile = ts.MkAbs(args[i+1])
		default:
			ts.Fatalf("fakeopenai: unknown flag %s", args[i])
		}
	}
	calls := make(chan struct{}, 1)
	calls <- struct{}{}
	n := 0
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1,"owned_by":"system"}]}`)
	})
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer sk-test-dummy" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`)
			return
		}
		<-calls
		n++
		k := n
		if logFile != "" {
			f, err := os.OpenFile(logFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err == nil {
				fmt.Fprintf(f, "call %d\n", k)
				f.Close()
			}
		}
		calls <- struct{}{}
		if k <= fail {
			w.Header().Set("Retry-After", "0")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"error":{"message":"%s","type":"requests","code":"rate_limit_exceeded"}}`, message)
			return
		}
		var req struct {
			Model    string    `json:"model"`
			Messages []chatMsg `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		flusher, _ := w.(http.Flusher)
		send := func(v any) {
			b, _ := json.Marshal(v)
			fmt.Fprintf(w, "data: %s\n\n", b)
			if flusher != nil {
				flusher.Flush()
			}
		}
		model := req.Model + "-2024-07-18"
		base := map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1732420000, "model": model, "system_fingerprint": fingerprint}
		with := func(extra map[string]any) map[string]any {
			m := map[string]any{}
			for k, v := range base {
				m[k] = v
			}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}
		parts := chunks(say + lastUser(req.Messages))
		if answer != "" {
			parts = chunks(answer)
		}
		for i, c := range parts {
			delta := map[string]any{"content": c}
			if i == 0 {
				delta["role"] = "assistant"
			}
			send(with(map[string]any{"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": nil}}, "usage": nil}))
		}
		send(with(map[string]any{"choices": []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": "stop"}}, "usage": nil}))
		send(with(map[string]any{"choices": []any{}, "usage": map[string]any{"prompt_tokens": 9, "completion_tokens": len(parts), "total_tokens": 9 + len(parts)}}))
		fmt.Fprint(w, "data: [DONE]\n\n")
	})
	srv := httptest.NewServer(mux)
	ts.Defer(srv.Close)
	ts.Setenv("OPENAI_BASE_URL", srv.URL+"/v1")
	ts.Setenv("OPENAI_API_KEY", "sk-test-dummy")
}

var unescapedPipe = regexp.MustCompile(`(^|[^\\])\|`)

// cmdMDTables checks every GitHub Markdown table in a file: each row has as
// many cells as its header (cells split on unescaped pipes, outside code
// fences). With -min N it also requires at least N tables.
func cmdMDTables(ts *testscript.TestScript, neg bool, args []string) {
	minTables := 0
	if len(args) == 3 && args[0] == "-min" {
		fmt.Sscan(args[1], &minTables)
		args = args[2:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: mdtables [-min N] FILE")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	cells := func(line string) int {
		line = strings.TrimSpace(line)
		line = strings.TrimPrefix(line, "|")
		line = strings.TrimSuffix(line, "|")
		return len(unescapedPipe.FindAllStringIndex(line, -1)) + 1
	}
	tables, header, fence := 0, 0, ""
	lines := strings.Split(string(data), "\n")
	var problems []string
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			marker := t[:strings.IndexFunc(t+"x", func(r rune) bool { return r != '`' && r != '~' })]
			if fence == "" {
				fence = marker
			} else if strings.HasPrefix(t, fence) && strings.Trim(t, "`~") == "" {
				fence = ""
			}
			continue
		}
		if fence != "" {
			continue
		}
		if !strings.HasPrefix(t, "|") {
			header = 0
			continue
		}
		if header == 0 {
			if i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+1]), "| ---") || i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+1]), "|---") {
				header = cells(t)
				tables++
			}
			continue
		}
		if n := cells(t); n != header {
			problems = append(problems, fmt.Sprintf("line %d: %d cells, header has %d: %s", i+1, n, header, t))
		}
	}
	if fence != "" {
		problems = append(problems, "unclosed code fence")
	}
	if tables < minTables {
		problems = append(problems, fmt.Sprintf("%d tables, want at least %d", tables, minTables))
	}
	if neg {
		if len(problems) == 0 {
			ts.Fatalf("all tables are well formed")
		}
		return
	}
	if len(problems) > 0 {
		ts.Fatalf("malformed Markdown:\n%s", strings.Join(problems, "\n"))
	}
}

// cmdDBSchema sets the schema version (PRAGMA user_version) of a database
// file, as another whet would have left it: "dbschema FILE newer" sets
// this build's schema version + 3, "dbschema FILE N" sets N.
func cmdDBSchema(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: dbschema FILE newer|N")
	}
	v := store.SchemaVersion() + 3
	if args[1] != "newer" {
		_, err := fmt.Sscan(args[1], &v)
		ts.Check(err)
	}
	db, err := sql.Open("sqlite", ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	_, err = db.Exec(fmt.Sprintf("PRAGMA user_version = %d", v))
	ts.Check(err)
	// Leave the file alone, as a closed whet leaves it: checkpointed, with
	// no -wal or -shm beside it.
	_, err = db.Exec("PRAGMA journal_mode = DELETE")
	ts.Check(err)
}

// cmdDBExec runs one SQL statement on a database file, as another program
// would (a trigger that makes whet's writes fail, for instance).
func cmdDBExec(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: dbexec FILE SQL")
	}
	db, err := sql.Open("sqlite", ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	_, err = db.Exec(args[1])
	ts.Check(err)
}

// cmdReadOnly makes a directory and the files in it impossible to write,
// create or delete, as a read-only mount or another user's files are, until
// the script ends: "readonly DIR". Permissions do it for a normal user,
// `chattr +i` for root, whom permissions do not stop. Scripts check the
// condition [canreadonly] first (see lockDown).
func cmdReadOnly(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: readonly DIR")
	}
	undo, err := lockDown(ts.MkAbs(args[0]))
	ts.Defer(undo)
	ts.Check(err)
}

// lockDown makes dir and its files read-only for this process (see
// cmdReadOnly); undo, never nil, gives them back.
func lockDown(dir string) (undo func(), err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return func() {}, err
	}
	paths := []string{}
	for _, e := range entries {
		paths = append(paths, filepath.Join(dir, e.Name()))
	}
	paths = append(paths, dir)
	undo = func() {
		for _, p := range paths {
			exec.Command("chattr", "-i", p).Run()
			os.Chmod(p, 0o755)
		}
	}
	for _, p := range paths {
		mode := os.FileMode(0o444)
		if p == dir {
			mode = 0o555
		}
		if err := os.Chmod(p, mode); err != nil {
			return undo, err
		}
	}
	writable := func() bool {
		probe := filepath.Join(dir, ".probe")
		f, err := os.Create(probe)
		if err != nil {
			return false
		}
		f.Close()
		os.Remove(probe)
		return true
	}
	if !writable() {
		return undo, nil
	}
	for _, p := range paths {
		if out, err := exec.Command("chattr", "+i", p).CombinedOutput(); err != nil {
			return undo, fmt.Errorf("cannot make %s read-only: permissions do not stop this user (root) and chattr +i failed: %v %s", p, err, out)
		}
	}
	if writable() {
		return undo, fmt.Errorf("cannot make %s read-only: it can still be written after chmod and chattr +i", dir)
	}
	return undo, nil
}

// scriptCondition answers [canreadonly]: whether lockDown works here.
func scriptCondition(cond string) (bool, error) {
	if cond != "canreadonly" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	dir, err := os.MkdirTemp("", "whet-readonly")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	undo, err := lockDown(dir)
	undo()
	return err == nil, nil
}
