package apply

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

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
			name: "no created_at: a second after the answer",
			obs:  []clockObs{{recv: local(ms(400))}},
			at:   local(ms(1400) + clockMargin),
		},
		{
			name: "one answer without created_at among stamped ones: the later bound",
			obs: []clockObs{
				{stamp: base, recv: local(ms(20))},
				{recv: local(ms(600))},
			},
			at: local(ms(1600) + clockMargin), pass: base.Add(time.Second),
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			at, pass := settleAt(tc.obs)
			if !at.Equal(tc.at) || !pass.Equal(tc.pass) {
				t.Errorf("settleAt = %v, %v; want %v, %v", at, pass, tc.at, tc.pass)
			}
			var last time.Time
			for _, o := range tc.obs {
				last = later(last, o.recv)
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
	start := regexp.MustCompile(`^\[2/2, [^]]+ elapsed\] checking for copies a concurrent run may have created \((waiting [0-9.]+m?s for the server's clock to pass|the server's clock has passed) \d\d:\d\d:\d\d\)$`)
	if !start.MatchString(lines[2]) {
		t.Errorf("line %q does not say the check starts and what it waits for", lines[2])
	}
	if !strings.HasSuffix(lines[3], "] checked for copies: none") {
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
