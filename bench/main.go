// Command bench measures whet's executor end to end: N versions × T targets
// × C cases against a local OpenAI-compatible server that answers instantly,
// run headless by the real whet binary with --no-cache, beside the same
// server's raw rate from a plain Go HTTP loop at the same concurrency. It
// reports calls/s and whet's peak RSS.
//
//	go build -o /tmp/whet . && go run ./bench -whet /tmp/whet
//
// The server runs in this process; whet runs as a child, so its RSS is its
// own (ru_maxrss of the child).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	whet := flag.String("whet", "whet", "path to the whet binary")
	versions := flag.Int("versions", 3, "prompt versions")
	targets := flag.Int("targets", 4, "targets (one provider each)")
	cases := flag.Int("cases", 500, "cases")
	conc := flag.Int("concurrency", 8, "concurrency per provider")
	flag.Parse()
	if err := run(*whet, *versions, *targets, *cases, *conc); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(whet string, nVersions, nTargets, nCases, conc int) error {
	var served atomic.Int64
	srv, addr, err := startServer(&served)
	if err != nil {
		return err
	}
	defer srv.Close()
	base := "http://" + addr + "/v1"
	calls := nVersions * nTargets * nCases
	total := conc * nTargets

	// 1. the raw rate: a plain Go loop at the same total concurrency.
	rawStart := time.Now()
	if err := rawLoop(base, calls, total); err != nil {
		return err
	}
	rawRate := float64(calls) / time.Since(rawStart).Seconds()

	// 2. whet, headless.
	dir, err := os.MkdirTemp("", "whet-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	env := append(os.Environ(), "WHET_DB="+filepath.Join(dir, "bench.db"), "WHET_CONFIG="+filepath.Join(dir, "config.yaml"), "BENCH_KEY=sk-bench", "NO_COLOR=1")
	var cfg strings.Builder
	cfg.WriteString("providers:\n")
	var specs []string
	for t := 1; t <= nTargets; t++ {
		fmt.Fprintf(&cfg, "  b%d:\n    type: openai\n    base_url: %s\n    api_key_env: BENCH_KEY\n    concurrency: %d\n", t, base, conc)
		specs = append(specs, fmt.Sprintf("b%d:model-%d", t, t))
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg.String()), 0o644); err != nil {
		return err
	}
	var csv strings.Builder
	csv.WriteString("text\n")
	for c := 0; c < nCases; c++ {
		fmt.Fprintf(&csv, "case number %d\n", c)
	}
	if err := os.WriteFile(filepath.Join(dir, "cases.csv"), []byte(csv.String()), 0o644); err != nil {
		return err
	}
	sh := func(args ...string) error {
		c := exec.Command(whet, args...)
		c.Env = env
		out, err := c.CombinedOutput()
		if err != nil {
			return fmt.Errorf("whet %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := sh("prompt", "new", "bench", "--user", "v1 {{text}}"); err != nil {
		return err
	}
	refs := []string{"bench@1"}
	for v := 2; v <= nVersions; v++ {
		if err := sh("prompt", "edit", "bench", "--user", fmt.Sprintf("v%d {{text}}", v)); err != nil {
			return err
		}
		refs = append(refs, fmt.Sprintf("bench@%d", v))
	}
	args := append([]string{"run"}, refs...)
	args = append(args, "-m", strings.Join(specs, ","), "--cases", filepath.Join(dir, "cases.csv"), "--no-cache", "--quiet", "--format", "csv", "-o", filepath.Join(dir, "report.csv"))
	served.Store(0)
	c := exec.Command(whet, args...)
	c.Env = env
	if prof := os.Getenv("BENCH_CPUPROFILE"); prof != "" {
		c.Env = append(c.Env, "WHET_CPUPROFILE="+prof)
	}
	c.Stderr = os.Stderr
	start := time.Now()
	if err := c.Run(); err != nil {
		return fmt.Errorf("whet run: %v", err)
	}
	elapsed := time.Since(start)
	rss := c.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
	whetRate := float64(calls) / elapsed.Seconds()
	if got := served.Load(); got != int64(calls) {
		return fmt.Errorf("server answered %d calls, want %d", got, calls)
	}
	fmt.Printf("machine     %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Printf("plan        %d versions × %d targets × %d cases = %d calls, concurrency %d per provider (%d total)\n", nVersions, nTargets, nCases, calls, conc, total)
	fmt.Printf("raw loop    %8.0f calls/s\n", rawRate)
	fmt.Printf("whet run    %8.0f calls/s  (%.1f%% of raw)  in %s, peak RSS %.1f MB\n", whetRate, 100*whetRate/rawRate, elapsed.Round(time.Millisecond), float64(rss)/1024)
	return nil
}

// startServer answers POST /v1/chat/completions at once with a streamed
// three-chunk completion and a usage chunk, as OpenAI does.
func startServer(served *atomic.Int64) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string `json:"model"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		served.Add(1)
		w.Header().Set("Content-Type", "text/event-stream")
		for _, piece := range []string{"Hello", " from", " bench"} {
			fmt.Fprintf(w, `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":%q,"choices":[{"index":0,"delta":{"content":%q},"finish_reason":null}]}`+"\n\n", req.Model, piece)
		}
		fmt.Fprintf(w, `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":%q,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\n", req.Model)
		fmt.Fprintf(w, `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":%q,"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}`+"\n\n", req.Model)
		io.WriteString(w, "data: [DONE]\n\n")
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	return srv, ln.Addr().String(), nil
}

// rawLoop makes calls requests with conc workers, reading each stream to
// its end: the ceiling whet is measured against.
func rawLoop(base string, calls, conc int) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conc)
	body := `{"model":"raw","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"raw"}]}`
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(calls) {
				req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, base+"/chat/completions", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer sk-bench")
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				sc := bufio.NewScanner(resp.Body)
				for sc.Scan() {
					var chunk map[string]any
					if line := sc.Text(); strings.HasPrefix(line, "data: {") {
						json.Unmarshal([]byte(line[6:]), &chunk)
					}
				}
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}
