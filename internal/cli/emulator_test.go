package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/riskctl/riskctl/internal/emulator"
)

// defaultServe is what `emulator serve` with no flags serves.
var defaultServe = emulatorServeOptions{Addr: "127.0.0.1:8787", Emulator: emulator.Options{Seed: 1}}

func TestEmulatorServeOptions(t *testing.T) {
	with := func(f func(*emulatorServeOptions)) emulatorServeOptions {
		o := defaultServe
		f(&o)
		return o
	}
	for _, tc := range []struct {
		args string
		env  map[string]string
		want emulatorServeOptions
		err  string
	}{
		{args: "", want: defaultServe},
		{args: "--addr :0 --state s.json --ready-file url.txt --log-requests", want: with(func(o *emulatorServeOptions) {
			o.Addr, o.ReadyFile, o.LogRequests, o.Emulator.StatePath = ":0", "url.txt", true, "s.json"
		})},
		{args: "--account A --account=B --debug", want: with(func(o *emulatorServeOptions) {
			o.Emulator.Accounts = []string{"A", "B"}
		})},
		{args: "--token T", want: with(func(o *emulatorServeOptions) { o.Emulator.Token = "T" })},
		{args: "", env: map[string]string{"RISKCTL_EMULATOR_TOKEN": "ET"}, want: with(func(o *emulatorServeOptions) { o.Emulator.Token = "ET" })},
		{args: "--api-key K --api-email e@example.com", want: with(func(o *emulatorServeOptions) {
			o.Emulator.APIKey, o.Emulator.Email = "K", "e@example.com"
		})},
		{args: "", env: map[string]string{"RISKCTL_EMULATOR_API_KEY": "K", "RISKCTL_EMULATOR_API_EMAIL": "e@x"},
			want: with(func(o *emulatorServeOptions) { o.Emulator.APIKey, o.Emulator.Email = "K", "e@x" })},
		{args: "--seed-users 20 --seed 9 --page-size 5 --integrations-page-size 3", want: with(func(o *emulatorServeOptions) {
			o.Emulator.SeedUsers, o.Emulator.Seed, o.Emulator.PageSize, o.Emulator.IntegrationsPageSize = 20, 9, 5, 3
		})},
		{args: "--latency 50ms", want: with(func(o *emulatorServeOptions) { o.Emulator.Latency = 50 * time.Millisecond })},
		{args: "--rate-limit 10", want: with(func(o *emulatorServeOptions) {
			o.Emulator.RateLimit, o.Emulator.RateWindow = 10, time.Second
		})},
		{args: "--rate-limit 1200/5m", want: with(func(o *emulatorServeOptions) {
			o.Emulator.RateLimit, o.Emulator.RateWindow = 1200, 5*time.Minute
		})},
		{args: "--rate-limit 1200/5m --lock-out 5m", want: with(func(o *emulatorServeOptions) {
			o.Emulator.RateLimit, o.Emulator.RateWindow, o.Emulator.LockOut = 1200, 5*time.Minute, 5*time.Minute
		})},
		{args: "--lock-out=300ms --rate-limit 5/200ms", want: with(func(o *emulatorServeOptions) {
			o.Emulator.RateLimit, o.Emulator.RateWindow, o.Emulator.LockOut = 5, 200*time.Millisecond, 300*time.Millisecond
		})},
		{args: "--fault-rate 0.1 --reset-rate 0.2 --commit-then-fail-rate 1", want: with(func(o *emulatorServeOptions) {
			o.Emulator.ServerErrorRate, o.Emulator.ResetRate, o.Emulator.CommitThenFailRate = 0.1, 0.2, 1
		})},

		{args: "--rate-limit 0", err: `--rate-limit "0": expected N or N/DURATION with N > 0`},
		{args: "--rate-limit x/1s", err: `--rate-limit "x/1s"`},
		{args: "--rate-limit 5/-1s", err: `--rate-limit "5/-1s": expected N or N/DURATION`},
		{args: "--rate-limit 5/soon", err: `--rate-limit "5/soon"`},
		{args: "--lock-out 5m", err: "--lock-out needs --rate-limit"},
		{args: "--rate-limit 5 --lock-out -1s", err: "--lock-out -1s: expected a positive duration"},
		{args: "--rate-limit 5 --lock-out soon", err: "invalid value"},
		{args: "--fault-rate 1.5", err: "--fault-rate 1.5: expected a probability between 0 and 1"},
		{args: "--reset-rate -0.1", err: "--reset-rate -0.1: expected a probability between 0 and 1"},
		{args: "--commit-then-fail-rate 2", err: "--commit-then-fail-rate 2: expected a probability"},
		{args: "--api-key K", err: "--api-key and --api-email go together"},
		{args: "--api-email e@x", err: "--api-key and --api-email go together"},
		{args: "--seed-users many", err: "invalid value"},
		{args: "--latency soon", err: "invalid value"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			got, err := optionsFromEnv(t, tc.env, "emulator serve", emulatorServeOptionsFrom, tc.args)
			if tc.err != "" {
				wantUsageError(t, err, tc.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(emulator.Options{}, "Logf", "Now")); diff != "" {
				t.Errorf("emulator serve %s: options (-want +got):\n%s", tc.args, diff)
			}
			if got.Emulator.Logf != nil {
				t.Error("the builder set Logf: the action does, from LogRequests")
			}
		})
	}
}

// TestEmulatorServeRedactsCredentials: the emulator's credentials given as
// flags are secrets of the run, even when serve then fails.
func TestEmulatorServeRedactsCredentials(t *testing.T) {
	clearEnv(t)
	var out, errOut bytes.Buffer
	code := Main(context.Background(), argv("emulator serve --token hunter2tok --api-key k3y-s3cr3t --rate-limit hunter2tok"),
		Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	if code != ExitInvalid {
		t.Errorf("exit %d, want %d", code, ExitInvalid)
	}
	if got := errOut.String(); !strings.Contains(got, "--rate-limit") || strings.Contains(got, "hunter2tok") {
		t.Errorf("stderr %q", got)
	}
}
