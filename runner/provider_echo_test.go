package runner

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"whet/config"
	"whet/prompt"
)

func TestEchoChat(t *testing.T) {
	p, _ := NewEcho(config.Provider{})
	msgs := []prompt.Message{{Role: "system", Content: "be  brief"}, {Role: "user", Content: "héllo wörld\nagain"}}
	want := "system: be  brief\n\nuser: héllo wörld\nagain"
	var deltas []string
	resp, err := p.Chat(context.Background(), Request{Model: "echo", Messages: msgs}, func(s string) { deltas = append(deltas, s) })
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != want || strings.Join(deltas, "") != want {
		t.Fatalf("text %q deltas %q, want %q", resp.Text, deltas, want)
	}
	if len(deltas) != 7 || deltas[0] != "system: " || deltas[2] != "brief\n\n" {
		t.Fatalf("deltas %q, want one per word with its trailing whitespace", deltas)
	}
	if resp.TokensIn != 5 || resp.TokensOut != 7 || resp.Model != "echo" || resp.FinishReason != "stop" || p.Name() != "echo" {
		t.Fatalf("got %+v", resp)
	}
	// Deterministic.
	again, _ := p.Chat(context.Background(), Request{Model: "echo", Messages: msgs}, nil)
	if again.Text != resp.Text {
		t.Fatal("echo is not deterministic")
	}
}

func TestEchoParams(t *testing.T) {
	p, _ := NewEcho(config.Provider{Name: "mock"})
	msgs := []prompt.Message{{Role: "user", Content: "one two three four STOP five"}}
	two := 2
	resp, err := p.Chat(context.Background(), Request{Model: "x", Messages: msgs, Params: prompt.Params{MaxTokens: &two}}, nil)
	if err != nil || resp.Text != "user: one " || resp.FinishReason != "length" || resp.TokensOut != 2 || resp.Model != "x" {
		t.Fatalf("max_tokens: %+v %v", resp, err)
	}
	resp, err = p.Chat(context.Background(), Request{Messages: msgs, Params: prompt.Params{Stop: []string{"STOP"}}}, nil)
	if err != nil || resp.Text != "user: one two three four " || resp.FinishReason != "stop" {
		t.Fatalf("stop: %+v %v", resp, err)
	}
	_, err = p.Chat(context.Background(), Request{Messages: msgs, Params: prompt.Params{Extra: map[string]any{"echo_delay_ms": "soon"}}}, nil)
	if err == nil || !strings.Contains(err.Error(), "echo_delay_ms") {
		t.Fatalf("bad delay: %v", err)
	}
}

func TestEchoHonoursContext(t *testing.T) {
	p, _ := NewEcho(config.Provider{})
	msgs := []prompt.Message{{Role: "user", Content: strings.Repeat("word ", 50)}}
	ctx, cancel := context.WithCancel(context.Background())
	got := 0
	req := Request{Messages: msgs, Params: prompt.Params{Extra: map[string]any{"echo_delay_ms": float64(20)}}}
	done := make(chan struct{})
	var resp Response
	var err error
	go func() {
		defer close(done)
		resp, err = p.Chat(ctx, req, func(string) {
			got++
			if got == 3 {
				cancel()
			}
		})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("echo did not return after cancel")
	}
	if !errors.Is(err, context.Canceled) || got != 3 || resp.Text != "user: word word " {
		t.Fatalf("err %v deltas %d text %q", err, got, resp.Text)
	}
}
