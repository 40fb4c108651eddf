package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/riskctl/riskctl/internal/textutil"
)

// Delivery bounds: a receiver that fails or stalls is tried a few times,
// briefly, and the whole delivery has a limit well under a minute, so a
// dead chat service never holds a CI job.
const (
	DefaultAttempts       = 3
	DefaultAttemptTimeout = 5 * time.Second
	DefaultBackoff        = time.Second // before the second attempt; doubled after
	DefaultTotal          = 20 * time.Second
	// maxErrorBody is how much of a failed answer's body is read, and
	// maxErrorText how much of it is shown (Slack explains a 400 in a
	// word: "invalid_payload", "no_service").
	maxErrorBody = 4 << 10
	maxErrorText = 120
)

// sender posts one message body to one URL.
type sender struct {
	client         *http.Client
	attempts       int
	attemptTimeout time.Duration
	backoff        time.Duration
	userAgent      string
}

// newClient is the HTTP client of the webhooks: the environment's proxy,
// and no redirect followed (a redirect could lead to a cleartext or other
// host; a webhook answers where it was asked).
func newClient() *http.Client {
	return &http.Client{
		Transport: http.DefaultTransport.(*http.Transport).Clone(),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// send posts body to raw until an attempt succeeds, the attempts are
// spent, ctx ends, or an answer says trying again is useless (a 4xx but
// 408 and 429). The error never holds the URL: it says what went wrong
// with the last attempt, and how many were made.
func (s sender) send(ctx context.Context, raw string, body []byte) error {
	var err error
	wait := s.backoff
	n := 0
	for n < s.attempts {
		n++
		var retry bool
		retry, err = s.attempt(ctx, raw, body)
		if err == nil || !retry || n == s.attempts {
			break
		}
		select {
		case <-ctx.Done():
			return attemptsError(n, err)
		case <-time.After(wait):
		}
		wait *= 2
	}
	if err != nil {
		return attemptsError(n, err)
	}
	return nil
}

func attemptsError(n int, err error) error {
	if n == 1 {
		return err
	}
	return fmt.Errorf("%w (%d attempts)", err, n)
}

// attempt makes one POST, bounded by attemptTimeout, and says whether a
// failure is worth another attempt.
func (s sender) attempt(ctx context.Context, raw string, body []byte) (retry bool, err error) {
	actx, cancel := context.WithTimeout(ctx, s.attemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, raw, bytes.NewReader(body))
	if err != nil {
		return false, errors.New("the URL cannot be requested")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.userAgent)
	resp, err := s.client.Do(req)
	if err != nil {
		return true, requestError(actx, err, s.attemptTimeout)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return false, nil
	}
	msg := "HTTP " + strconv.Itoa(resp.StatusCode)
	if text := answerText(data); text != "" {
		msg += ": " + text
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		msg += " (redirects are not followed)"
	}
	retry = resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout
	return retry, errors.New(msg)
}

// requestError says why a request got no answer, without the URL that
// Go's *url.Error would quote.
func requestError(ctx context.Context, err error, limit time.Duration) error {
	if ctx.Err() != nil {
		if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
			return fmt.Errorf("no answer within %s", limit)
		}
		return errors.New("stopped before an answer")
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("no answer within %s", limit)
	}
	return errors.New(textutil.Visible(textutil.OneLine(err.Error())))
}

// answerText is the start of a failed answer's body, on one line and
// visible, for the warning.
func answerText(data []byte) string {
	s := strings.TrimSpace(textutil.OneLine(string(data)))
	if r := []rune(s); len(r) > maxErrorText {
		s = string(r[:maxErrorText]) + "…"
	}
	return textutil.Visible(s)
}
