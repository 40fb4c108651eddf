package apply

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/emulator"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/testwait"
)

// The duplicate check's wait is computed from the create answers: the
// server's clock must pass the second after the latest created_at, and
// every answer bounds the clock's offset from below (clock.go).
func TestSettleAt(t *testing.T) {
	base := time.Date(2026, 12, 7, 14, 2, 7, 0, time.UTC) // a whole second
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	local := func(d time.Duration) time.Time { return base.Add(d) } // our clock agrees, unless said
	for _, tc := range []struct {
		name     string
		obs      []clockObs
		at       time.Time // zero: no wait
		pass     time.Time
		floor    time.Time     // the part no Date can bring forward
		maxAfter time.Duration // at most this after the last answer
	}{
		{name: "none"},
		{
			name: "one create: a second after its answer",
			obs:  []clockObs{{stamp: base, recv: local(ms(300))}},
			at:   local(ms(1300) + clockMargin), pass: base.Add(time.Second),
		},
		{
			name: "one create, our clock 10 min behind: still a second after its answer",
			obs:  []clockObs{{stamp: base, recv: local(ms(300) - 10*time.Minute)}},
			at:   local(ms(1300) - 10*time.Minute + clockMargin), pass: base.Add(time.Second),
		},
		{
			// The first answer, just after the turn of the second, pins
			// the offset at ≥ −20ms: the clock passes 14:02:08 by 08.02.
			name: "answers in one second, the first just after it turned",
			obs: []clockObs{
				{stamp: base, recv: local(ms(20))},
				{stamp: base, recv: local(ms(500))},
				{stamp: base, recv: local(ms(900))},
			},
			at: local(ms(1020) + clockMargin), pass: base.Add(time.Second),
		},
		{
			// Straddling a second: the answer stamped 14:02:07 at local
			// 07.05 bounds the offset at ≥ −50ms; the last, stamped 08,
			// needs the clock past 09: local 09.05.
			name: "straddling observations",
			obs: []clockObs{
				{stamp: base.Add(-time.Second), recv: local(ms(-100))},
				{stamp: base, recv: local(ms(50))},
				{stamp: base.Add(time.Second), recv: local(ms(1950))},
			},
			at: local(ms(2050) + clockMargin), pass: base.Add(2 * time.Second),
		},
		{
			name: "fractional created_at is floored to its second",
			obs:  []clockObs{{stamp: base.Add(ms(700)), recv: local(ms(800))}},
			at:   local(ms(1100) + clockMargin), pass: base.Add(time.Second),
		},
		{
			name:  "no created_at: a second after the answer",
			obs:   []clockObs{{recv: local(ms(400))}},
			at:    local(ms(1400) + clockMargin),
			floor: local(ms(1400) + clockMargin),
		},
		{
			name: "one answer without created_at among stamped ones: the later bound",
			obs: []clockObs{
				{stamp: base, recv: local(ms(20))},
				{recv: local(ms(600))},
			},
			at: local(ms(1600) + clockMargin), pass: base.Add(time.Second), floor: local(ms(1600) + clockMargin),
		},
		{
			// A server stamping a year ahead: the bound is still at most
			// DuplicateSettle after the answer that carried it.
			name: "a stamp in the future",
			obs: []clockObs{
				{stamp: base, recv: local(ms(100))},
				{stamp: base.AddDate(1, 0, 0), recv: local(ms(200))},
			},
			at: local(ms(1200) + clockMargin), pass: base.AddDate(1, 0, 0).Add(time.Second),
		},
		{
			// A probe's Date of the next second, received at 07.61, proves
			// the clock passed 08 by then: list clockMargin later.
			name: "a Date of the next second",
			obs: []clockObs{
				{stamp: base, recv: local(ms(300))},
				{stamp: base.Add(time.Second), recv: local(ms(610)), date: true},
			},
			at: local(ms(610) + clockMargin), pass: base.Add(time.Second),
		},
		{
			// Dates of the creates' own second bound the offset like
			// created_at, and never move the second to pass.
			name: "Dates of the same second tighten the offset",
			obs: []clockObs{
				{stamp: base, recv: local(ms(300))},
				{stamp: base, recv: local(ms(120)), date: true},
				{stamp: base, recv: local(ms(400)), date: true},
			},
			at: local(ms(1120) + clockMargin), pass: base.Add(time.Second),
		},
		{
			// A Date behind created_at (another clock, or an old one)
			// proves less than created_at: it changes nothing.
			name: "a Date behind created_at",
			obs: []clockObs{
				{stamp: base, recv: local(ms(300))},
				{stamp: base.Add(-5 * time.Second), recv: local(ms(400)), date: true},
			},
			at: local(ms(1300) + clockMargin), pass: base.Add(time.Second),
		},
		{
			// A Date a year ahead: the check lists at once (it may then
			// miss a later copy, never delete one wrongly: duplicates.go).
			name: "a Date in the future",
			obs: []clockObs{
				{stamp: base, recv: local(ms(300))},
				{stamp: base.AddDate(1, 0, 0), recv: local(ms(400)), date: true},
			},
			at: local(ms(400) + clockMargin - 365*24*time.Hour + time.Second), pass: base.Add(time.Second),
		},
		{
			// No create answered with created_at: Dates alone give no
			// second to pass, only the stamp-less bound.
			name: "Dates without created_at",
			obs: []clockObs{
				{recv: local(ms(300))},
				{stamp: base.Add(time.Second), recv: local(ms(400)), date: true},
			},
			at: local(ms(1300) + clockMargin), floor: local(ms(1300) + clockMargin),
		},
		{
			name: "Dates only",
			obs:  []clockObs{{stamp: base, recv: local(ms(400)), date: true}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at, pass, floor := settleAt(tc.obs)
			if !at.Equal(tc.at) || !pass.Equal(tc.pass) || !floor.Equal(tc.floor) {
				t.Errorf("settleAt = %v, %v, %v; want %v, %v, %v", at, pass, floor, tc.at, tc.pass, tc.floor)
			}
			var last time.Time
			for _, o := range tc.obs {
				if !o.date {
					last = later(last, o.recv)
				}
			}
			if len(tc.obs) > 0 && at.Sub(last) > DuplicateSettle {
				t.Errorf("waits %v after the last answer, more than DuplicateSettle", at.Sub(last))
			}
		})
	}
}

// stampedAPI answers creates with created_at: the current second.
type stampedAPI struct{ *fakeAPI }

func (f stampedAPI) CreateIntegration(ctx context.Context, req remote.CreateIntegrationRequest) (remote.Integration, error) {
	in, err := f.fakeAPI.CreateIntegration(ctx, req)
	in.CreatedAt = time.Now().UTC().Truncate(time.Second)
	return in, err
}

// A progress line says when the check runs and how long it waits for which
// server time, then one line its result; both through the one escaping
// rule (plain text here).
func TestDuplicateCheckProgressLines(t *testing.T) {
	defer func(old time.Duration) { defaultDuplicateSettle = old }(defaultDuplicateSettle)
	defaultDuplicateSettle = 0 // the bound from the server's clock
	var out strings.Builder
	r := Execute(context.Background(), stampedAPI{&fakeAPI{}}, mkPlan(creates(2)...), Options{Progress: &out})
	wantCounts(t, r, 2, 0, 0)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("progress:\n%s\nwant 2 step lines and 2 of the check", out.String())
	}
	start := regexp.MustCompile(`^\[2/2, [^]]+ elapsed\] checking for copies a concurrent run may have created \((waiting until the server's clock passes \d\d:\d\d:\d\d, at most [0-9.]+m?s, probing it|waiting [0-9.]+m?s for the server's clock to pass \d\d:\d\d:\d\d|the server's clock has passed \d\d:\d\d:\d\d)\)$`)
	if !start.MatchString(lines[2]) {
		t.Errorf("line %q does not say the check starts and what it waits for", lines[2])
	}
	// The fake sends no Date: one probe shows it.
	if !regexp.MustCompile(`\] checked for copies: none( \(after 1 probe\(s\) of the server's clock\))?$`).MatchString(lines[3]) {
		t.Errorf("line %q does not give the check's result", lines[3])
	}
}

// Observed: the check waited after the prune deletes instead of beside
// them. Now it starts once the last create has settled: the prune delete
// here is held until the check has listed the account (with the old order
// it would wait for ever).
func TestDuplicateCheckOverlapsDeletes(t *testing.T) {
	listed := make(chan struct{})
	var once sync.Once
	f := &overlapAPI{fakeAPI: &fakeAPI{}, listed: func() { once.Do(func() { close(listed) }) }}
	f.before = func(call string) {
		if strings.HasPrefix(call, "delete ") {
			select {
			case <-listed:
			case <-testwait.After(t):
				t.Errorf("%s: the duplicate check never listed while the delete ran", call)
			}
		}
	}
	r := Execute(context.Background(), f, mkPlan(createChange("new-1", "https://n.okta.com", true), deleteChange(live("prune-1"))), Options{})
	wantCounts(t, r, 2, 0, 0)
}

// overlapAPI calls listed when the account is listed.
type overlapAPI struct {
	*fakeAPI
	listed func()
}

func (f *overlapAPI) ListIntegrations(context.Context) ([]remote.Integration, error) {
	f.listed()
	return nil, nil
}

// serverClockAPI is a server whose clock runs offset ahead of a fake
// local clock, which the executor's waits and the probes advance (no
// wall clock): a probe (GET /behaviors) takes rtt, and the server writes
// its Date, shifted by lie, half-way through. noDate sends none.
type serverClockAPI struct {
	*fakeAPI
	offset, rtt, lie time.Duration
	noDate           bool
	observe          func(date, recv time.Time)

	clk    sync.Mutex
	now    time.Time   // local
	probes []time.Time // local send times
}

func (f *serverClockAPI) wall() time.Time {
	f.clk.Lock()
	defer f.clk.Unlock()
	return f.now
}

func (f *serverClockAPI) after(d time.Duration) <-chan time.Time {
	f.clk.Lock()
	defer f.clk.Unlock()
	f.now = f.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- f.now
	return ch
}

func (f *serverClockAPI) GetBehaviors(ctx context.Context) (map[string]remote.Behavior, error) {
	f.clk.Lock()
	f.probes = append(f.probes, f.now)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < f.rtt {
		// Cut off by its context (the bound) before the answer: as long
		// as the context gave it, on the fake clock.
		f.now = f.now.Add(max(time.Until(dl), 0))
		f.clk.Unlock()
		return nil, context.DeadlineExceeded
	}
	f.now = f.now.Add(f.rtt / 2)
	date := f.now.Add(f.offset).Truncate(time.Second).Add(f.lie)
	f.now = f.now.Add(f.rtt / 2)
	recv := f.now
	f.clk.Unlock()
	if !f.noDate {
		f.observe(date, recv)
	}
	return nil, nil
}

// probeEnv is an executor on f's clock that has one create answered at
// local start, and the server's second to pass: the one after its
// created_at.
func probeEnv(ctx context.Context, f *serverClockAPI, start time.Time) (*executor, time.Time) {
	f.now = start
	x := newExecutor(ctx, f, mkPlan(), Options{})
	x.wall, x.after = f.wall, f.after
	f.observe = x.clock.observe
	stamp := start.Add(f.offset).Truncate(time.Second)
	x.obs = []clockObs{{stamp: stamp, recv: start}}
	return x, stamp.Add(time.Second)
}

// Observed: with every create in one server second, the check slept the
// whole bound (a second after the first answer) while the server's clock
// turned half a second after the answers on average. Now it probes: it
// lists once a probe's Date shows the next second, plus clockMargin, and
// never before the server's clock has passed it (whatever the offset and
// round trip); it sends at most maxProbes probes, and never waits longer
// than the bound from the create answer alone.
func TestProbesListOnceTheServerSecondPasses(t *testing.T) {
	start := time.Date(2026, 12, 7, 14, 2, 7, 0, time.UTC)
	for _, rtt := range []time.Duration{0, 20 * time.Millisecond, 100 * time.Millisecond, 400 * time.Millisecond} {
		for off := time.Duration(0); off < time.Second; off += 37 * time.Millisecond {
			f := &serverClockAPI{fakeAPI: &fakeAPI{}, offset: off, rtt: rtt}
			x, pass := probeEnv(context.Background(), f, start)
			bound, _, _ := settleAt(x.obs)
			probes, err := x.awaitServerClock(context.Background())
			if err != nil {
				t.Fatalf("rtt %v offset %v: %v", rtt, off, err)
			}
			listed := f.wall()
			if server := listed.Add(off); server.Before(pass.Add(clockMargin)) {
				t.Errorf("rtt %v offset %v: listed at server time %v, before %v + clockMargin", rtt, off, server, pass)
			}
			if listed.After(bound) {
				t.Errorf("rtt %v offset %v: listed at %v, after the bound %v", rtt, off, listed, bound)
			}
			if probes != len(f.probes) || probes > maxProbes {
				t.Errorf("rtt %v offset %v: %d probes reported, %d sent, at most %d", rtt, off, probes, len(f.probes), maxProbes)
			}
			// The turn is seen within a probe interval and a round trip.
			turned := pass.Add(-off)
			if late := listed.Sub(turned); late > max(probeInterval, rtt)+rtt+clockMargin && listed.Before(bound) {
				t.Errorf("rtt %v offset %v: listed %v after the server's clock passed %v", rtt, off, late, pass)
			}
			if rtt == 20*time.Millisecond && off == 518*time.Millisecond && listed.Sub(start) >= 700*time.Millisecond {
				// The clock turns 482ms after the answer; the bound is
				// 1.05s, which the old code slept out.
				t.Errorf("listed %v after the answer, want the turn seen", listed.Sub(start))
			}
		}
	}
}

// The accounts of a run share one ServerClock. Observed: 100 accounts
// probing each took 3m41s instead of 8.4s (accounts/100x5 in
// cmd/riskctl-bench), their probes pushing the shared request budget into
// spreading. Now the run sends at most maxProbes in all, and one account's
// answers bound the clock for the others: a check whose second another
// account's probe has seen pass lists without probing; none lists before
// the server's clock has passed its second.
func TestProbesSharedAcrossAccounts(t *testing.T) {
	start := time.Date(2026, 12, 7, 14, 2, 7, 0, time.UTC)
	account := func(f *serverClockAPI, clock *ServerClock) (*executor, time.Time, time.Time) {
		x := newExecutor(context.Background(), f, mkPlan(), Options{ServerClock: clock})
		x.wall, x.after = f.wall, f.after
		now := f.wall()
		stamp := now.Add(f.offset).Truncate(time.Second)
		x.obs = []clockObs{{stamp: stamp, recv: now}}
		bound, _, _ := settleAt(x.obs)
		return x, stamp.Add(time.Second), bound
	}

	// Dates an hour behind prove nothing: every check would probe to
	// its bound, but the run stops at maxProbes.
	clock := NewServerClock()
	f := &serverClockAPI{fakeAPI: &fakeAPI{}, offset: 100 * time.Millisecond, rtt: 20 * time.Millisecond, lie: -time.Hour, now: start}
	f.observe = clock.observe
	for i := range 5 {
		x, pass, bound := account(f, clock)
		if _, err := x.awaitServerClock(context.Background()); err != nil {
			t.Fatal(err)
		}
		if listed := f.wall(); listed.Add(f.offset).Before(pass.Add(clockMargin)) || listed.After(bound) {
			t.Errorf("account %d listed at %v: before the server's clock passed %v, or after the bound %v", i, listed, pass, bound)
		}
	}
	if n := len(f.probes); n != maxProbes {
		t.Errorf("5 accounts sent %d probes in all, want the run's %d", n, maxProbes)
	}

	// Two accounts created in one server second: the first one's probes
	// see it pass, the second lists on that, probing nothing.
	clock = NewServerClock()
	f = &serverClockAPI{fakeAPI: &fakeAPI{}, offset: 400 * time.Millisecond, rtt: 20 * time.Millisecond, now: start}
	f.observe = clock.observe
	x1, pass, _ := account(f, clock)
	x2, _, _ := account(f, clock)
	if n, err := x1.awaitServerClock(context.Background()); err != nil || n == 0 {
		t.Fatalf("first account: %d probes, %v", n, err)
	}
	if n, err := x2.awaitServerClock(context.Background()); err != nil || n != 0 {
		t.Errorf("second account: %d probes, %v; want none: the first saw the second pass", n, err)
	}
	if f.wall().Add(f.offset).Before(pass.Add(clockMargin)) {
		t.Errorf("listed at %v, before the server's clock passed %v", f.wall(), pass)
	}
}

// A server that sends no Date header: one probe shows it, and the check
// waits the bound from the create answers.
func TestProbesWithoutDateFallBackToTheBound(t *testing.T) {
	start := time.Date(2026, 12, 7, 14, 2, 7, 0, time.UTC)
	f := &serverClockAPI{fakeAPI: &fakeAPI{}, offset: 300 * time.Millisecond, rtt: 20 * time.Millisecond, noDate: true}
	x, _ := probeEnv(context.Background(), f, start)
	bound, _, _ := settleAt(x.obs)
	probes, err := x.awaitServerClock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if probes != 1 {
		t.Errorf("%d probes to a server without Date, want 1", probes)
	}
	if !f.wall().Equal(bound) {
		t.Errorf("listed at %v, want the bound %v", f.wall(), bound)
	}
}

// A server whose Date lies a year ahead makes the check list at once,
// after one probe: early, which can only leave a duplicate (see
// TestLyingDateDeletesOnlyOwnCopy).
func TestProbesLyingFutureDateListsEarly(t *testing.T) {
	start := time.Date(2026, 12, 7, 14, 2, 7, 0, time.UTC)
	f := &serverClockAPI{fakeAPI: &fakeAPI{}, rtt: 20 * time.Millisecond, lie: 365 * 24 * time.Hour}
	x, _ := probeEnv(context.Background(), f, start)
	probes, err := x.awaitServerClock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if probes != 1 || !f.wall().Equal(start.Add(20*time.Millisecond)) {
		t.Errorf("%d probes, listed at %v; want 1 and at once", probes, f.wall())
	}
}

// The run's deadline bounds the probing as it bounds any wait: no probe is
// sent after it, and a check that cannot prove the turn before it fails at
// once rather than wait past it; one that can lists.
func TestProbesRespectTheRunDeadline(t *testing.T) {
	// Far from the real clock: the deadline never passes while the test
	// runs; only the fake clock reaches it.
	start := time.Now().Add(time.Hour).Truncate(time.Second)
	for _, tc := range []struct {
		offset time.Duration
		lists  bool
	}{
		{offset: 900 * time.Millisecond, lists: true},  // turns 100ms after the answer
		{offset: 100 * time.Millisecond, lists: false}, // turns 900ms after
	} {
		ctx, cancel := context.WithDeadline(context.Background(), start.Add(400*time.Millisecond))
		f := &serverClockAPI{fakeAPI: &fakeAPI{}, offset: tc.offset, rtt: 20 * time.Millisecond}
		x, _ := probeEnv(ctx, f, start)
		_, err := x.awaitServerClock(ctx)
		cancel()
		if tc.lists != (err == nil) {
			t.Errorf("offset %v: err %v, want listing %t", tc.offset, err, tc.lists)
		}
		if err != nil && !strings.Contains(err.Error(), "would pass the run's deadline") {
			t.Errorf("offset %v: %v does not name the deadline", tc.offset, err)
		}
		for _, p := range f.probes {
			if !p.Before(start.Add(400 * time.Millisecond)) {
				t.Errorf("offset %v: a probe sent at %v, past the deadline", tc.offset, p.Sub(start))
			}
		}
		if f.wall().After(start.Add(400 * time.Millisecond)) {
			t.Errorf("offset %v: waited until %v, past the deadline", tc.offset, f.wall().Sub(start))
		}
	}
}

// A server whose Date headers run a year ahead makes the check list at
// once (no wait, no probe); a concurrent run's copy stamped in the same
// second as this run's, which appears just before the list, is never
// deleted: whatever the clocks say, a run deletes only its own copy, and
// only when its list shows it outranked (duplicates.go).
func TestLyingDateDeletesOnlyOwnCopy(t *testing.T) {
	defer func(old time.Duration) { defaultDuplicateSettle = old }(defaultDuplicateSettle)
	defaultDuplicateSettle = 0 // the bound from the server's clock
	emu, err := emulator.New(emulator.Options{Token: testToken, Accounts: []string{testAccount}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var theirs string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().AddDate(1, 0, 0).UTC().Format(http.TimeFormat))
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/integrations") && theirs == "" {
			ours := ""
			for _, in := range emu.Integrations(testAccount) {
				if in.ReferenceID == refA { // this run's: a concurrent copy in its second
					ours = in.ID
					emu.PutIntegration(testAccount, emulator.Integration{
						ReferenceID: refA, IntegrationType: "Okta", TenantURL: "https://acme.okta.com", Active: true, CreatedAt: in.CreatedAt,
					})
				}
			}
			for _, in := range emu.Integrations(testAccount) {
				if in.ReferenceID == refA && in.ID != ours {
					theirs = in.ID
				}
			}
		}
		emu.ServeHTTP(w, r)
	}))
	defer srv.Close()
	api, err := remote.New(remote.Config{
		AccountID: testAccount, Credentials: remote.Credentials{Token: testToken}, BaseURL: srv.URL + "/client/v4",
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	Execute(context.Background(), api, mkPlan(createChange(refA, "https://acme.okta.com", true)), Options{Progress: &out})
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(out.String(), "(the server's clock has passed ") {
		t.Errorf("the check waited for a server whose Date is a year ahead:\n%s", out.String())
	}
	if theirs == "" {
		t.Fatalf("the account was not listed:\n%s", out.String())
	}
	var left []string
	for _, in := range emu.Integrations(testAccount) {
		left = append(left, in.ID)
	}
	if !slices.Contains(left, theirs) {
		t.Errorf("the concurrent run's copy %s was deleted; left %v\n%s", theirs, left, out.String())
	}
}
