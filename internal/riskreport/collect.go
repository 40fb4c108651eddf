package riskreport

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/riskctl/riskctl/internal/remote"
)

// Reader is what Collect reads through: the two user reads of remote.API.
type Reader interface {
	GetSummary(ctx context.Context) ([]remote.UserRiskInfo, error)
	GetUserRisk(ctx context.Context, userID string) (remote.UserRisk, error)
}

var _ Reader = remote.API(nil)

// Defaults of the options, also the flags' defaults.
const (
	DefaultDays     = 30
	DefaultMaxUsers = 200
	MaxDays         = 366 // a year of daily bars is already hard to read
)

// readers is how many users' events are read at once. The run's request
// budget paces them all (internal/remote/budget.go); a few at once only
// hide each request's latency.
const readers = 4

// Options say what a report covers.
type Options struct {
	Days      int       // the events-per-day window, in days ending on Now's day (UTC)
	MaxUsers  int       // the most users whose events are read (one request or more each)
	ShowUsers bool      // keep names and emails; without it the report holds counts only
	Now       time.Time // the report's time; the window ends on its day (UTC)
	// Progress, when set, is called after each user's events are read,
	// from one goroutine at a time, with the users read and the users to
	// read.
	Progress func(done, total int)
}

// Collect reads the summary, then the events of the first MaxUsers users
// (highest level first, then the most recent event), and aggregates them.
// A user who disappears between the two reads (reset meanwhile: the API
// answers 404) is counted as gone; any other error ends the report.
func Collect(ctx context.Context, api Reader, opts Options) (Report, error) {
	users, err := api.GetSummary(ctx)
	if err != nil {
		return Report{}, err
	}
	users = slices.Clone(users)
	sortUsers(users)
	toRead := users[:min(len(users), max(opts.MaxUsers, 0))]
	details := make([]*remote.UserRisk, len(toRead))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		done     int
		wg       sync.WaitGroup
		next     = make(chan int)
	)
	for range min(readers, len(toRead)) {
		wg.Go(func() {
			for i := range next {
				u, err := api.GetUserRisk(ctx, toRead[i].UserID)
				mu.Lock()
				switch {
				case err == nil:
					details[i] = &u
				case errors.Is(err, remote.ErrNotFound):
					// reset since the summary: counted as gone
				case firstErr == nil:
					firstErr = err
					cancel()
				}
				done++
				if opts.Progress != nil && firstErr == nil {
					opts.Progress(done, len(toRead))
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range toRead {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return Report{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return Report{}, err
	}
	return aggregate(users, details, opts), nil
}

// sortUsers orders users as the report reads them: highest level first,
// then the most recent event, then by id, so that --max-users keeps the
// users a security team looks at first, whatever order the API sent.
func sortUsers(users []remote.UserRiskInfo) {
	slices.SortStableFunc(users, func(a, b remote.UserRiskInfo) int {
		if c := levelRank(b.MaxRiskLevel) - levelRank(a.MaxRiskLevel); c != 0 {
			return c
		}
		if c := b.LastEvent.Compare(a.LastEvent); c != 0 {
			return c
		}
		return strings.Compare(a.UserID, b.UserID)
	})
}
