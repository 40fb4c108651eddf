package remote

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These drive the budget with a fixed clock: exact schedules, no sleeping.

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func testBudget() (*Budget, *fakeClock) {
	clk := &fakeClock{t: fixedNow}
	b := &Budget{now: clk.now}
	return b, clk
}

// next is when the budget would let the next request go, and why not
// before; it sends nothing.
func (b *Budget) next() (time.Duration, waitKind, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.initLocked()
	now := b.now()
	at, kind, why := b.earliestLocked(now)
	return at.Sub(now), kind, why
}

// send counts one request now, as acquire does once it may go.
func (b *Budget) send() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.initLocked()
	return b.recordLocked(b.now())
}

func announce(r, t, q, w string) http.Header {
	h := http.Header{}
	if r != "" {
		h.Set("Ratelimit", `"default";r=`+r+`;t=`+t)
	}
	if q != "" {
		h.Set("Ratelimit-Policy", `"default";q=`+q+`;w=`+w)
	}
	return h
}

func TestBudgetFreshSendsAtOnce(t *testing.T) {
	b, clk := testBudget()
	for i := range 180 { // the per-second allowance, all at one instant
		if d, _, why := b.next(); d != 0 {
			t.Fatalf("request %d waits %v: %s", i+1, d, why)
		}
		b.send()
	}
	d, kind, why := b.next()
	if d != time.Second || kind != waitPerSecond || why != "at most 180 requests per second" {
		t.Errorf("request 181: %v %v %q, want 1s for the per-second limit", d, kind, why)
	}
	clk.advance(time.Second)
	if d, _, _ := b.next(); d != 0 {
		t.Errorf("a second later: wait %v", d)
	}
}

func TestBudgetAssumedWindowSlides(t *testing.T) {
	b, clk := testBudget()
	// 900 requests, 180 a second: 1200-900 = 300 left, 60 in reserve,
	// 240 usable: the spread zone begins.
	for i := range 900 {
		if d, _, _ := b.next(); d != 0 {
			clk.advance(d)
		}
		b.send()
		if i%180 == 179 {
			clk.advance(time.Second)
		}
	}
	first := fixedNow
	if st := b.Status(); st.Remaining != 300 || st.Announced {
		t.Fatalf("status %+v", st)
	}
	d, kind, why := b.next()
	// The last send was at +4s; the first leaves the window at +300s: the
	// 240 usable (+1) are spread over the 296s between.
	want := 4*time.Second + 296*time.Second/241 - clk.t.Sub(first)
	if kind != waitSpread || d < want-time.Millisecond || d > want+time.Millisecond {
		t.Errorf("wait %v %v %q, want %v spread", d, kind, why, want)
	}
	// Spend the rest of the usable budget: then wait for the oldest sends
	// to leave the window.
	for range 240 {
		b.send()
	}
	d, kind, why = b.next()
	if kind != waitSpent || !strings.Contains(why, "rate budget spent: 60 of 1200 requests left, kept in reserve") {
		t.Errorf("spent: %v %v %q", d, kind, why)
	}
	if end := first.Add(5 * time.Minute); clk.t.Add(d) != end {
		t.Errorf("spent: wait until %v, want %v (the first send leaves the window)", clk.t.Add(d), end)
	}
	clk.advance(d)
	if d, _, _ := b.next(); d != 0 {
		t.Errorf("after the oldest left: wait %v", d)
	}
}

func TestBudgetLearnsAndSpreads(t *testing.T) {
	b, clk := testBudget()
	seq := b.send()
	// The API says 100 left for 10s, of 1000 per 60s: 50 in reserve, 200 in
	// the spread zone; 50 usable over 10s.
	b.observe(seq, announce("100", "10", "1000", "60"), clk.t)
	st := b.Status()
	if st.Quota != 1000 || st.Window != time.Minute || st.Remaining != 100 || st.ResetIn != 10*time.Second || !st.Announced {
		t.Fatalf("status %+v", st)
	}
	d, kind, why := b.next()
	if want := 10 * time.Second / 51; kind != waitSpread || d != want {
		t.Errorf("wait %v %v, want %v", d, kind, want)
	}
	if why != "rate budget low: 100 of 1000 requests left for the next 10s, spread out" {
		t.Errorf("why %q", why)
	}
	// Evenly spaced: after each send at its slot, the next is as far.
	for range 5 {
		d, _, _ := b.next()
		clk.advance(d)
		b.settle(b.send()) // answered, without headers
	}
	if d, _, _ := b.next(); d < 10*time.Second/51-time.Millisecond || d > 10*time.Second/51+time.Millisecond {
		t.Errorf("6th wait %v", d)
	}
	// Nothing usable: wait for the reset, then the quota is whole.
	seq = b.send()
	b.observe(seq, announce("50", "7", "", ""), clk.t)
	if d, kind, _ := b.next(); d != 7*time.Second || kind != waitSpent {
		t.Errorf("spent: %v %v, want 7s", d, kind)
	}
	clk.advance(7 * time.Second)
	if d, _, _ := b.next(); d != 0 {
		t.Errorf("after the reset: wait %v", d)
	}
	if st := b.Status(); st.Remaining != 1000 || st.ResetIn != time.Minute {
		t.Errorf("after the reset: %+v", st)
	}
}

func TestBudgetAnswersInAnyOrder(t *testing.T) {
	b, clk := testBudget()
	s1, s2, s3 := b.send(), b.send(), b.send()
	s4, s5 := b.send(), b.send()
	// The answer to the third: 500 left then, two sent since, and two sent
	// before still in flight, which the server may not have counted.
	b.observe(s3, announce("500", "60", "", ""), clk.t)
	if st := b.Status(); st.Remaining != 496 {
		t.Errorf("remaining %d, want 496", st.Remaining)
	}
	// Answers to earlier requests are older news.
	b.observe(s1, announce("900", "60", "", ""), clk.t)
	b.observe(s2, announce("10", "60", "", ""), clk.t)
	if st := b.Status(); st.Remaining != 496 {
		t.Errorf("remaining %d after stale answers, want 496", st.Remaining)
	}
	b.settle(s4)
	b.settle(s5)
	// Another process spent most of it: the next answer says so.
	s6 := b.send()
	b.observe(s6, announce("70", "60", "", ""), clk.t)
	if st := b.Status(); st.Remaining != 70 {
		t.Errorf("remaining %d, want 70", st.Remaining)
	}
	// Bad headers teach nothing and break nothing.
	for _, h := range []http.Header{
		{"Ratelimit": {`"default";r=-5;t=1`}},
		{"Ratelimit": {`garbage`}},
		{"Ratelimit": {`"default";r=abc`}},
		{"X-Ratelimit-Remaining": {"lots"}},
	} {
		b.observe(b.send(), h, clk.t)
	}
	if st := b.Status(); st.Remaining != 66 || st.Quota != 1200 {
		t.Errorf("after bad headers %+v, want 66 left of 1200", st)
	}
}

func TestBudgetLockOut(t *testing.T) {
	b, clk := testBudget()
	b.lockOut(clk.t.Add(90*time.Second), "rate limited (retry-after)", true)
	b.lockOut(clk.t.Add(10*time.Second), "shorter", false) // never shortens
	d, kind, why := b.next()
	if d != 90*time.Second || kind != waitLockOut || why != "rate limited (retry-after)" {
		t.Errorf("%v %v %q", d, kind, why)
	}
	if st := b.Status(); st.LockedFor != 90*time.Second {
		t.Errorf("status %+v", st)
	}
	clk.advance(90 * time.Second)
	if d, _, _ := b.next(); d != 0 {
		t.Errorf("after the lock-out: %v", d)
	}
}

func TestBudgetTinyQuotaStillSends(t *testing.T) {
	b, clk := testBudget()
	b.observe(b.send(), announce("1", "1", "1", "1"), clk.t)
	if d, kind, why := b.next(); d >= time.Second || kind == waitSpent {
		t.Errorf("quota 1, 1 left: wait %v (%s); the reserve must not swallow the whole quota", d, why)
	}
	b.send()
	if d, kind, _ := b.next(); d != time.Second || kind != waitSpent {
		t.Errorf("quota 1 spent: %v %v", d, kind)
	}
}

func TestBudgetAcquireFailsFastPastDeadlineOrCap(t *testing.T) {
	b := NewBudget()
	b.lockOut(time.Now().Add(time.Hour), "rate limited (retry-after)", true)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err := b.acquire(ctx, 0, nil)
	var werr *WaitError
	if !errors.As(err, &werr) || werr.Left <= 0 || werr.Cap != 0 || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %#v", err)
	}
	if _, _, err := b.acquire(context.Background(), 5*time.Minute, nil); !errors.As(err, &werr) || werr.Cap != 5*time.Minute {
		t.Fatalf("err = %v, want the cap", err)
	}
	werr.Op = "get behaviors"
	if got := werr.Error(); !strings.HasPrefix(got, "get behaviors: not sent: waiting ") ||
		!strings.HasSuffix(got, " (rate limited (retry-after)) is more than the longest wait allowed, 300s") {
		t.Errorf("message %q", got)
	}
	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	if _, _, err := b.acquire(done, 0, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("done context: %v", err)
	}
}

func TestZeroBudgetIsUsable(t *testing.T) {
	var b Budget
	if _, waited, err := b.acquire(context.Background(), 0, nil); err != nil || waited != 0 {
		t.Fatal(waited, err)
	}
	if st := b.Status(); st.Quota != DefaultQuota || st.Remaining != DefaultQuota-1 {
		t.Errorf("status %+v", st)
	}
}

func TestParseLimits(t *testing.T) {
	date := fixedNow.Format(http.TimeFormat)
	cases := []struct {
		name string
		h    http.Header
		want limits
	}{
		{"cloudflare", http.Header{"Ratelimit": {`"default";r=1199;t=1`}, "Ratelimit-Policy": {`"default";q=1200;w=300`}},
			limits{quota: 1200, window: 300 * time.Second, remaining: 1199, hasRemaining: true, reset: time.Second, hasReset: true}},
		{"spaces, bare name, unknown params", http.Header{"Ratelimit": {` default ; r = 7 ; t = 30 ; x=1`}, "Ratelimit-Policy": {`default;q=10;w=60;qu="requests";pk=:abc=:`}},
			limits{quota: 10, window: time.Minute, remaining: 7, hasRemaining: true, reset: 30 * time.Second, hasReset: true}},
		{"decimal", http.Header{"Ratelimit": {`"default";r=3;t=0.25`}},
			limits{remaining: 3, hasRemaining: true, reset: 250 * time.Millisecond, hasReset: true}},
		{"several: the most restrictive", http.Header{"Ratelimit": {`"default";r=900;t=200, "burst";r=4;t=1`},
			"Ratelimit-Policy": {`"default";q=1200;w=300`, `"burst";q=10;w=1`}},
			limits{quota: 10, window: time.Second, remaining: 4, hasRemaining: true, reset: time.Second, hasReset: true}},
		{"quoted comma", http.Header{"Ratelimit": {`"a,b";r=5;t=2`}, "Ratelimit-Policy": {`"a,b";q=50;w=20`}},
			limits{quota: 50, window: 20 * time.Second, remaining: 5, hasRemaining: true, reset: 2 * time.Second, hasReset: true}},
		{"policy only", http.Header{"Ratelimit-Policy": {`"default";q=600;w=60`}},
			limits{quota: 600, window: time.Minute}},
		{"old family", http.Header{"X-Ratelimit-Limit": {"1200"}, "X-Ratelimit-Remaining": {"17"},
			"X-Ratelimit-Reset": {fixedNow.Add(40 * time.Second).Format(http.TimeFormat)}, "Date": {date}},
			limits{quota: 1200, remaining: 17, hasRemaining: true, reset: 40 * time.Second, hasReset: true}},
		{"old reset read against the server's Date", http.Header{"X-Ratelimit-Remaining": {"5"},
			"X-Ratelimit-Reset": {fixedNow.Add(time.Hour + 20*time.Second).Format(http.TimeFormat)},
			"Date":              {fixedNow.Add(time.Hour).Format(http.TimeFormat)}},
			limits{remaining: 5, hasRemaining: true, reset: 20 * time.Second, hasReset: true}},
		{"old reset as unix seconds", http.Header{"X-Ratelimit-Remaining": {"5"}, "X-Ratelimit-Reset": {strconv.FormatInt(fixedNow.Unix()+10, 10)}, "Date": {date}},
			limits{remaining: 5, hasRemaining: true, reset: 10 * time.Second, hasReset: true}},
		{"old reset as delta", http.Header{"X-Ratelimit-Remaining": {"5"}, "X-Ratelimit-Reset": {"12"}},
			limits{remaining: 5, hasRemaining: true, reset: 12 * time.Second, hasReset: true}},
		{"old limit with window", http.Header{"X-Ratelimit-Limit": {"100, 100;w=60"}},
			limits{quota: 100, window: time.Minute}},
		{"new first, old fills in", http.Header{"Ratelimit": {`"default";r=9`}, "X-Ratelimit-Remaining": {"99"}, "X-Ratelimit-Limit": {"1200"},
			"X-Ratelimit-Reset": {"30"}},
			limits{quota: 1200, remaining: 9, hasRemaining: true, reset: 30 * time.Second, hasReset: true}},
		{"garbage", http.Header{"Ratelimit": {`;;,,"unterminated`}, "Ratelimit-Policy": {`"default";q=-1;w=x`}}, limits{}},
		{"negative and non-numbers", http.Header{"Ratelimit": {`"default";r=-1;t=5, "x";r=inf, "y";r=1e3, "z";r=0x10`}}, limits{}},
		{"absurd reset", http.Header{"Ratelimit": {`"default";r=1;t=99999999`}}, limits{remaining: 1, hasRemaining: true}},
		{"none", http.Header{}, limits{}},
		{"huge header", http.Header{"Ratelimit": {`"default";r=1;t=1;` + strings.Repeat("x", 5000)}}, limits{}},
	}
	for _, tc := range cases {
		if got := parseLimits(tc.h, fixedNow); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestFmtWait(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 5 * time.Millisecond: "5ms", 1500 * time.Millisecond: "1.5s", 12 * time.Second: "12s",
		60 * time.Second: "60s", 5 * time.Minute: "300s", 12345 * time.Millisecond: "12s",
	} {
		if got := fmtWait(d); got != want {
			t.Errorf("fmtWait(%v) = %q, want %q", d, got, want)
		}
	}
}

// server is a rate-limited API as the budget sees it: it counts a request
// when the request arrives and answers with what is left of its quota.
// Its one window began at fixedNow and lasts a minute.
type budgetServer struct {
	quota, arrived int
}

func (s *budgetServer) arrive(now time.Time) http.Header {
	s.arrived++
	reset := strconv.FormatFloat(fixedNow.Add(time.Minute).Sub(now).Seconds(), 'f', 3, 64)
	return announce(strconv.Itoa(max(s.quota-s.arrived, 0)), reset, strconv.Itoa(s.quota), "60")
}

// Requests in flight overtake each other: the server counts the last of 39
// concurrent sends first and answers before the other 38 have arrived.
// The budget must count those 38 as spent, or it lets the window overshoot
// by as many (issue 18: a 429 under a shared budget with ten accounts
// applying at once).
func TestBudgetCountsSendsInFlight(t *testing.T) {
	b, clk := testBudget()
	srv := &budgetServer{quota: 100}
	b.observe(b.send(), srv.arrive(clk.t), clk.t)
	var inFlight []uint64
	for range 38 {
		inFlight = append(inFlight, b.send())
	}
	// The 39th overtakes them all.
	b.observe(b.send(), srv.arrive(clk.t), clk.t)
	// From now on every send arrives and is answered at once, in order,
	// until the budget waits for the reset.
	for {
		d, kind, _ := b.next()
		if kind == waitSpent {
			break
		}
		clk.advance(d)
		if clk.t.Sub(fixedNow) >= time.Minute {
			t.Fatal("the window ended before the budget was spent")
		}
		b.observe(b.send(), srv.arrive(clk.t), clk.t)
	}
	// The 38 arrive at last, in the same window.
	for _, seq := range inFlight {
		b.observe(seq, srv.arrive(clk.t), clk.t)
	}
	if srv.arrived > srv.quota {
		t.Errorf("the server counted %d requests in a window of %d: the budget overshot it", srv.arrived, srv.quota)
	}
	if reserve := reserve(srv.quota); srv.arrived < srv.quota-reserve-1 {
		t.Errorf("the server counted %d requests of %d: the budget left more than its reserve (%d) unused", srv.arrived, srv.quota, reserve)
	}
}

// At a reset the sends still in flight may arrive in the new window: they
// count against it.
func TestBudgetResetKeepsSendsInFlight(t *testing.T) {
	b, clk := testBudget()
	b.observe(b.send(), announce("50", "10", "100", "60"), clk.t)
	for range 7 {
		b.send()
	}
	clk.advance(10 * time.Second)
	if st := b.Status(); st.Remaining != 93 {
		t.Errorf("after the reset, with 7 in flight: %d left, want 93", st.Remaining)
	}
}
