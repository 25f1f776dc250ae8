//go:build unix

// Command bench measures whet's executor end to end: N versions × T targets
// × C cases against a local OpenAI-compatible server that answers instantly,
// run headless by the real whet binary with --no-cache, beside the same
// server's raw rate from a plain Go HTTP loop at the same concurrency. It
// reports calls/s and whet's peak RSS.
//
//	go build -o /tmp/whet . && go run ./bench -whet /tmp/whet
//
// The server runs in this process; whet runs as a child, so its RSS is its
// own (ru_maxrss of the child). Each of -runs rounds runs the raw loop and
// then whet, in a fresh directory; the summary gives the median of each
// figure, since a machine shared with other work makes single runs noisy.
//
// Besides wall-clock rates it reports CPU time per call, which other load on
// the machine disturbs much less: whet's own (user + system of the child),
// the server's (this process while whet runs), and the raw loop's (this
// process while the loop runs: client and server). "calls phase" is the time
// from the first request the server received to the last response it
// finished: whet's rate without its process start, store setup and report.
//
// BENCH_CPUPROFILE=FILE makes whet write a CPU profile there (through
// WHET_CPUPROFILE); with several runs, the last run's profile remains.
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
	"slices"
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
	runs := flag.Int("runs", 3, "rounds (raw loop, then whet); the summary is their median")
	rawClient := flag.String("raw-client", "", "internal: run the raw loop against this base URL and exit")
	flag.Parse()
	if *rawClient != "" {
		// The raw loop as a process of its own, as whet runs: -raw-process.
		if err := rawLoop(*rawClient, *versions**targets**cases, *conc**targets); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *runs < 1 || *versions < 1 || *targets < 1 || *cases < 1 || *conc < 1 {
		fmt.Fprintln(os.Stderr, "bench: -runs, -versions, -targets, -cases and -concurrency must be at least 1")
		os.Exit(2)
	}
	b := bench{whet: *whet, versions: *versions, targets: *targets, cases: *cases, conc: *conc}
	if err := b.run(*runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type bench struct {
	whet                           string
	versions, targets, cases, conc int
	srv                            *server
	base                           string
}

func (b *bench) calls() int { return b.versions * b.targets * b.cases }

// round is one round's figures.
type round struct {
	rawRate, rawCPU          float64 // calls/s; µs of CPU per call, client and server
	procRate, procPhase      float64 // the raw loop as its own process: calls/s start to exit, and over its calls
	whetRate, whetCPU, rssMB float64 // calls/s; µs of CPU per call; MB
	phaseRate, srvCPU        float64 // calls/s over the calls phase; µs of server CPU per call
	// whet's run; from its start to the first call; from the last call to its exit
	elapsed, before, after time.Duration
}

func (b *bench) run(runs int) error {
	srv, err := startServer()
	if err != nil {
		return err
	}
	defer srv.Close()
	b.srv, b.base = srv, "http://"+srv.addr+"/v1"

	fmt.Printf("machine     %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load avg    %s (other work on the machine disturbs the wall-clock figures)\n", strings.Join(strings.Fields(string(load))[:3], " "))
	}
	fmt.Printf("plan        %d versions × %d targets × %d cases = %d calls, concurrency %d per provider (%d total)\n",
		b.versions, b.targets, b.cases, b.calls(), b.conc, b.conc*b.targets)
	var rs []round
	for i := 1; i <= runs; i++ {
		r, err := b.round()
		if err != nil {
			return err
		}
		rs = append(rs, r)
		fmt.Printf("run %d       raw %6.0f calls/s (%3.0f µs CPU/call), as a process %6.0f calls/s | whet %6.0f calls/s (%4.1f%%) in %s = %s start + %s calls (%6.0f calls/s) + %s end; whet %3.0f µs CPU/call, server %3.0f µs CPU/call, peak RSS %.1f MB\n",
			i, r.rawRate, r.rawCPU, r.procRate, r.whetRate, 100*r.whetRate/r.rawRate, ms(r.elapsed), ms(r.before), ms(r.elapsed-r.before-r.after), r.phaseRate, ms(r.after), r.whetCPU, r.srvCPU, r.rssMB)
	}
	med := func(f func(round) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	raw, whet := med(func(r round) float64 { return r.rawRate }), med(func(r round) float64 { return r.whetRate })
	fmt.Printf("median of %d runs:\n", len(rs))
	fmt.Printf("raw loop    %8.0f calls/s  %5.0f µs CPU/call (client + server)\n", raw, med(func(r round) float64 { return r.rawCPU }))
	fmt.Printf("whet run    %8.0f calls/s  (%.1f%% of raw), peak RSS %.1f MB\n", whet, 100*whet/raw, med(func(r round) float64 { return r.rssMB }))
	fmt.Printf("calls phase %8.0f calls/s  (%.1f%% of raw); before the first call %.0f ms, after the last %.0f ms\n",
		med(func(r round) float64 { return r.phaseRate }), 100*med(func(r round) float64 { return r.phaseRate })/raw,
		med(func(r round) float64 { return float64(r.before.Milliseconds()) }), med(func(r round) float64 { return float64(r.after.Milliseconds()) }))
	fmt.Printf("CPU/call    whet %.0f µs, server %.0f µs\n", med(func(r round) float64 { return r.whetCPU }), med(func(r round) float64 { return r.srvCPU }))
	proc := med(func(r round) float64 { return r.procRate })
	procPhase := med(func(r round) float64 { return r.procPhase })
	fmt.Printf("raw process %8.0f calls/s  (the same loop as a process of its own, start to exit): whet run is %.1f%% of it;\n", proc, 100*whet/proc)
	fmt.Printf("            %8.0f calls/s  over its calls: whet's calls phase is %.1f%% of it\n", procPhase, 100*med(func(r round) float64 { return r.phaseRate })/procPhase)
	return nil
}

// round runs the raw loop, then whet in a fresh directory.
func (b *bench) round() (round, error) {
	var r round
	calls := b.calls()

	// 1. the raw rate: a plain Go loop at the same total concurrency.
	cpu0 := selfCPU()
	rawStart := time.Now()
	if err := rawLoop(b.base, calls, b.conc*b.targets); err != nil {
		return r, err
	}
	r.rawRate = float64(calls) / time.Since(rawStart).Seconds()
	r.rawCPU = perCall(selfCPU()-cpu0, calls)

	// 1b. the same loop as a process of its own, timed from its start to
	// its exit as whet is: it pays what any client process pays (its start,
	// and the kernel switching between it and the server's process).
	self, err := os.Executable()
	if err != nil {
		return r, err
	}
	raw := exec.Command(self, "-raw-client", b.base, "-versions", fmt.Sprint(b.versions), "-targets", fmt.Sprint(b.targets),
		"-cases", fmt.Sprint(b.cases), "-concurrency", fmt.Sprint(b.conc))
	b.srv.reset()
	procStart := time.Now()
	if out, err := raw.CombinedOutput(); err != nil {
		return r, fmt.Errorf("raw client process: %v\n%s", err, out)
	}
	r.procRate = float64(calls) / time.Since(procStart).Seconds()
	_, first, last := b.srv.stats()
	r.procPhase = float64(calls) / last.Sub(first).Seconds()

	// 2. whet, headless.
	dir, err := os.MkdirTemp("", "whet-bench-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	env := append(os.Environ(), "WHET_DB="+filepath.Join(dir, "bench.db"), "WHET_CONFIG="+filepath.Join(dir, "config.yaml"), "BENCH_KEY=sk-bench", "NO_COLOR=1")
	var cfg strings.Builder
	cfg.WriteString("providers:\n")
	var specs []string
	for t := 1; t <= b.targets; t++ {
		fmt.Fprintf(&cfg, "  b%d:\n    type: openai\n    base_url: %s\n    api_key_env: BENCH_KEY\n    concurrency: %d\n", t, b.base, b.conc)
		specs = append(specs, fmt.Sprintf("b%d:model-%d", t, t))
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg.String()), 0o644); err != nil {
		return r, err
	}
	var csv strings.Builder
	csv.WriteString("text\n")
	for c := 0; c < b.cases; c++ {
		fmt.Fprintf(&csv, "case number %d\n", c)
	}
	if err := os.WriteFile(filepath.Join(dir, "cases.csv"), []byte(csv.String()), 0o644); err != nil {
		return r, err
	}
	sh := func(args ...string) error {
		c := exec.Command(b.whet, args...)
		c.Env = env
		out, err := c.CombinedOutput()
		if err != nil {
			return fmt.Errorf("whet %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := sh("prompt", "new", "bench", "--user", "v1 {{text}}"); err != nil {
		return r, err
	}
	refs := []string{"bench@1"}
	for v := 2; v <= b.versions; v++ {
		if err := sh("prompt", "edit", "bench", "--user", fmt.Sprintf("v%d {{text}}", v)); err != nil {
			return r, err
		}
		refs = append(refs, fmt.Sprintf("bench@%d", v))
	}
	args := append([]string{"run"}, refs...)
	args = append(args, "-m", strings.Join(specs, ","), "--cases", filepath.Join(dir, "cases.csv"), "--no-cache", "--quiet", "--format", "csv", "-o", filepath.Join(dir, "report.csv"))
	b.srv.reset()
	c := exec.Command(b.whet, args...)
	c.Env = env
	if prof := os.Getenv("BENCH_CPUPROFILE"); prof != "" {
		c.Env = append(c.Env, "WHET_CPUPROFILE="+prof)
	}
	var stderr strings.Builder
	c.Stderr = &stderr
	cpu0 = selfCPU()
	start := time.Now()
	if err := c.Run(); err != nil {
		return r, fmt.Errorf("whet run: %v\n%s", err, stderr.String())
	}
	r.elapsed = time.Since(start)
	r.srvCPU = perCall(selfCPU()-cpu0, calls)
	ps := c.ProcessState
	r.rssMB = float64(ps.SysUsage().(*syscall.Rusage).Maxrss) / 1024 // KiB on Linux
	r.whetCPU = perCall(ps.UserTime()+ps.SystemTime(), calls)
	r.whetRate = float64(calls) / r.elapsed.Seconds()
	end := time.Now()
	served, first, last := b.srv.stats()
	if served != int64(calls) {
		return r, fmt.Errorf("server answered %d calls, want %d", served, calls)
	}
	r.phaseRate = float64(calls) / last.Sub(first).Seconds()
	r.before, r.after = first.Sub(start), end.Sub(last)
	return r, nil
}

// ms is d rounded to the millisecond.
func ms(d time.Duration) time.Duration { return d.Round(time.Millisecond) }

// perCall is d in µs per call.
func perCall(d time.Duration, calls int) float64 {
	return float64(d.Microseconds()) / float64(calls)
}

// selfCPU is this process's CPU time so far, user and system.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// server answers POST /v1/chat/completions at once with a streamed
// three-chunk completion and a usage chunk, as OpenAI does. It counts the
// calls and notes when the first began and the last ended.
type server struct {
	*http.Server
	addr        string
	served      atomic.Int64
	first, last atomic.Int64 // unix ns
}

func (s *server) reset() {
	s.served.Store(0)
	s.first.Store(0)
	s.last.Store(0)
}

// stats returns the calls served since reset, when the first request
// arrived and when the last response ended.
func (s *server) stats() (served int64, first, last time.Time) {
	return s.served.Load(), time.Unix(0, s.first.Load()), time.Unix(0, s.last.Load())
}

func startServer() (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{addr: ln.Addr().String()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		s.first.CompareAndSwap(0, time.Now().UnixNano())
		var req struct {
			Model string `json:"model"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		s.served.Add(1)
		w.Header().Set("Content-Type", "text/event-stream")
		for _, piece := range []string{"Hello", " from", " bench"} {
			fmt.Fprintf(w, `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":%q,"choices":[{"index":0,"delta":{"content":%q},"finish_reason":null}]}`+"\n\n", req.Model, piece)
		}
		fmt.Fprintf(w, `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":%q,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\n", req.Model)
		fmt.Fprintf(w, `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":%q,"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}`+"\n\n", req.Model)
		io.WriteString(w, "data: [DONE]\n\n")
		for now := time.Now().UnixNano(); ; {
			last := s.last.Load()
			if last >= now || s.last.CompareAndSwap(last, now) {
				break
			}
		}
	})
	s.Server = &http.Server{Handler: mux}
	go s.Serve(ln)
	return s, nil
}

// rawLoop makes calls requests with conc workers, reading each stream to
// its end: the ceiling whet is measured against.
func rawLoop(base string, calls, conc int) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	defer client.CloseIdleConnections()
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
