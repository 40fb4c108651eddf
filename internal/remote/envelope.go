package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/riskctl/riskctl/internal/textutil"
)

// envelope is Cloudflare's response wrapper (docs/api.md#envelope):
// {success, errors[{code,message}], messages[], result, result_info?}.
type envelope struct {
	Success    *bool           `json:"success"`
	Errors     []ErrorItem     `json:"errors"`
	Result     json.RawMessage `json:"result"`
	ResultInfo *resultInfo     `json:"result_info"`
	// typed is the result already decoded (a *T from decodeTyped[T]), nil
	// when Result holds it still to decode.
	typed any
}

// typedEnvelope is an envelope whose result is decoded as T while the
// envelope is: the listing is not copied into a json.RawMessage first, so a
// long listing allocates about a quarter less (BENCHMARKS.md,
// DecodeListing1000). It saves no time: lastResult checks the result's
// syntax once more, as the two-step decode did.
type typedEnvelope[T any] struct {
	Success    *bool         `json:"success"`
	Errors     []ErrorItem   `json:"errors"`
	Result     lastResult[T] `json:"result"`
	ResultInfo *resultInfo   `json:"result_info"`
}

// lastResult decodes every "result" member of a body into a fresh T, so
// a body that repeats the member (in any letter case: encoding/json
// matches names case-insensitively) means its last one, as it does with a
// json.RawMessage result. Decoding a repeat into one *T would merge the
// two (FuzzDecodeTyped found it): a hostile server could then make the
// listing hold values the two-step decode never shows.
type lastResult[T any] struct{ v *T }

func (r *lastResult[T]) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		r.v = nil
		return nil
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	r.v = v
	return nil
}

// decodeTyped decodes body as a success envelope with a result of type T.
// It declines (false) anything else: a failure, a result that is absent,
// null or not a T, a body that is not JSON. decode then takes its usual
// path, so what callers see of those (errors, their wording, scrubbing) is
// exactly what they saw before.
func decodeTyped[T any](body []byte) (*envelope, bool) {
	var te typedEnvelope[T]
	if json.Unmarshal(body, &te) != nil || te.Success == nil || !*te.Success || te.Result.v == nil {
		return nil, false
	}
	return &envelope{Success: te.Success, Errors: te.Errors, ResultInfo: te.ResultInfo, typed: te.Result.v}, true
}

// resultInfo is dlp_result_info. The spec types every field as "number",
// so they are decoded as floats and never trusted to be integers.
type resultInfo struct {
	Page       float64 `json:"page"`
	PerPage    float64 `json:"per_page"`
	Count      float64 `json:"count"`
	TotalCount float64 `json:"total_count"`
	TotalPages float64 `json:"total_pages"`
}

const (
	// maxBodyBytes bounds what one response may make the client buffer.
	maxBodyBytes = 32 << 20
	// snippetRunes bounds the excerpt of a non-envelope error body.
	snippetRunes = 200
)

var errBodyTooLarge = errors.New("response body too large")

// decode reads a response into an envelope. Any non-2xx status, or a 2xx
// with "success": false, is an *APIError; a 2xx that is not an envelope at
// all (wrong base URL, say) is a plain error that says so. A call that has
// decodeTyped (a listing's, see pagesOf) tries it first on a 2xx body.
func (c *Client) decode(cl *call, resp *http.Response) (*envelope, error) {
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if readErr == nil && len(body) > maxBodyBytes {
		readErr = errBodyTooLarge
	}
	if cl.decodeTyped != nil && readErr == nil && resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		if env, ok := cl.decodeTyped(body); ok {
			return env, nil
		}
	}
	var env envelope
	jsonErr := json.Unmarshal(body, &env)

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := c.apiError(cl, resp.StatusCode)
		if jsonErr == nil && len(env.Errors) > 0 {
			e.Errors = c.scrubItems(env.Errors)
		} else {
			e.Body = snippet(c.auth.scrub(string(body)))
		}
		return nil, e
	}
	if readErr != nil {
		return nil, fmt.Errorf("%s: HTTP %d: reading response: %w", cl.op, resp.StatusCode, readErr)
	}
	if jsonErr != nil || env.Success == nil {
		return nil, fmt.Errorf("%s: HTTP %d: response is not a Cloudflare API envelope (is the base URL right?): %q",
			cl.op, resp.StatusCode, snippet(c.auth.scrub(string(body))))
	}
	if !*env.Success {
		e := c.apiError(cl, resp.StatusCode)
		e.Errors = c.scrubItems(env.Errors)
		return nil, e
	}
	return &env, nil
}

func (c *Client) apiError(cl *call, status int) *APIError {
	return &APIError{Op: cl.op, Method: cl.method, Path: cl.path, Status: status, Attempts: cl.attempt, BaseURL: c.s.apiRoot}
}

func (c *Client) scrubItems(items []ErrorItem) []ErrorItem {
	if len(items) == 0 {
		return nil
	}
	out := make([]ErrorItem, len(items))
	for i, it := range items {
		out[i] = ErrorItem{Code: it.Code, Message: c.auth.scrub(it.Message), Chain: c.scrubItems(it.Chain)}
	}
	return out
}

var htmlTag = regexp.MustCompile(`(?s)<[^>]*>`)

// snippet turns an arbitrary body into a short single line: tags dropped,
// control characters and runs of space collapsed, cut at snippetRunes.
func snippet(s string) string {
	if strings.HasPrefix(strings.TrimSpace(s), "<") {
		s = htmlTag.ReplaceAllString(s, " ")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > snippetRunes {
		s = string(r[:snippetRunes]) + "…"
	}
	return s
}

// decodeResult unmarshals an envelope's result into out.
func decodeResult(op string, env *envelope, out any) error {
	if len(env.Result) == 0 || string(env.Result) == "null" {
		return fmt.Errorf("%s: %w", op, errNoResult)
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return fmt.Errorf("%s: decode result: %w", op, err)
	}
	return nil
}

// unmarshalResult decodes one page's result.
func unmarshalResult(op string, result json.RawMessage, out any) error {
	return decodeResult(op, &envelope{Result: result}, out)
}

// userSegment is pathSegment for GET /{user_id}, which shares its level with
// the literal routes: a "user id" of "summary" would silently fetch the
// summary instead.
func userSegment(userID string) (string, error) {
	switch userID {
	case "summary", "behaviors", "integrations":
		return "", fmt.Errorf("remote: invalid user id %q: it names another route", userID)
	}
	return pathSegment("user id", userID)
}

// Pagination
//
// The current spec declares no paging parameters, but /summary and
// /{user_id} answer with result_info, and Cloudflare's convention is
// ?page=N. So: the first request carries no query (it is exactly what the
// spec documents, and the only request made when everything fits on one
// page). Once it has said how many pages there are (total_pages, else
// total_count / per_page), the others are fetched concurrently, at most
// Client.pageConcurrency at a time, and handed on in page order. If the
// last page then claims still more, those are fetched the same way. A
// bare array with no result_info (what /integrations really returns) is
// one request.
//
// Servers that do not page the way they claim are caught rather than
// looped on: a page number in result_info that differs from the one asked
// for is an error, and so is claiming more than maxPages pages. In a
// listing not checked as below, an empty page ends the listing (items
// disappeared between requests): it and the pages after it are not handed
// on.
//
// A listing plan or apply depends on (request.list: the integrations, the
// Access lists) must not miss an item: a plan that misses an integration
// creates a copy of it. Its pages are read at different times, and when
// the list changes in between (one on page 1 is deleted, and one from
// page 2 moves up to page 1 after page 1 was read) a page-by-page read
// misses items without any error. So such a listing is checked for the
// signs of a change while it is read: a later page whose result_info
// counts other totals (total_count, total_pages) than the first page's;
// an empty page before the last one; an object on two pages (the caller's
// each says so, with a *listingShift). Then it is read again from its
// first page, at most listingTries times in all, and after that it fails
// with a *ListingChangedError rather than return a list that may miss
// items. A listing of one page (what /integrations really returns) is
// read at one instant and never checked.

// listingTries is how many times a listing that changes while it is read
// (see above) is read from its first page before riskctl gives up.
const listingTries = 3

// listingShift is a sign that a listing changed while it was read: why
// says which (its text is printable: ids from the server pass
// textutil.Visible).
type listingShift struct{ why string }

func (e *listingShift) Error() string { return e.why }

// ListingChangedError is a listing that changed each time it was read
// (see envelopes): nothing of it is returned, since what was read may
// miss items. A later run will most likely read it whole.
type ListingChangedError struct {
	Op    string // e.g. "list integrations"
	List  string // e.g. "integrations list"
	Tries int
	Why   string // the last change seen, e.g. "page 2 counts total_count 9, page 1 counted 10"
}

func (e *ListingChangedError) Error() string {
	return fmt.Sprintf("%s: the %s changed while it was read, %d times; try again (the last time %s)", e.Op, e.List, e.Tries, e.Why)
}

// pageIDs finds an object that a listing's pages list twice: a sign that
// the listing changed while it was read (an object moved from one page
// to a later one). The first page's ids are only kept in a slice until a
// second page comes: a listing of one page (the usual) builds no map.
type pageIDs struct {
	kind  string // e.g. "integration", for the message
	page  int
	first []string       // the first page's ids, until the second page
	seen  map[string]int // id: the page it was first on, from the second page
}

func newPageIDs(kind string) *pageIDs { return &pageIDs{kind: kind} }

// nextPage starts the next page, from the first.
func (p *pageIDs) nextPage() {
	p.page++
	if p.page == 2 {
		p.seen = make(map[string]int, 2*len(p.first))
		for _, id := range p.first {
			p.seen[id] = 1
		}
		p.first = nil
	}
}

// add records id on the current page; an id seen on an earlier page is a
// *listingShift. An id repeated within one page is not a shift (one page
// is read at one instant) and is left to the callers' own checks.
func (p *pageIDs) add(id string) error {
	switch {
	case id == "":
		return nil
	case p.page <= 1:
		p.first = append(p.first, id)
		return nil
	}
	if first, ok := p.seen[id]; ok && first != p.page {
		return &listingShift{fmt.Sprintf("%s %s was on page %d and on page %d", p.kind, textutil.Visible(strconv.Quote(id)), first, p.page)}
	}
	p.seen[id] = p.page
	return nil
}

// pages fetches every page of r and hands each page's result to each, in
// page order and on the caller's goroutine; each returns how many items
// the page held. start, when set, is called before each read of the
// listing from its first page (a listing read again must start afresh).
func (c *Client) pages(ctx context.Context, r request, start func(), each func(result json.RawMessage) (int, error)) error {
	return c.envelopes(ctx, r, start, func(env *envelope) (int, error) { return each(env.Result) })
}

// pagesOf is pages for a listing whose result is a JSON array of T: each
// page is decoded in one pass with its envelope (decodeTyped) and handed
// to each as a slice, in page order.
func pagesOf[T any](ctx context.Context, c *Client, r request, start func(), each func(page []T) error) error {
	r.decodeTyped = decodeTyped[[]T]
	return c.envelopes(ctx, r, start, func(env *envelope) (int, error) {
		page, ok := env.typed.(*[]T)
		if !ok { // decodeTyped declined: decode as pages' callers do
			page = new([]T)
			if err := json.Unmarshal(env.Result, page); err != nil {
				return 0, fmt.Errorf("%s: decode result: %w", r.op, err)
			}
		}
		if err := each(*page); err != nil {
			return 0, err
		}
		return len(*page), nil
	})
}

// envelopes is pages, handing on each page's whole envelope. A listing
// with r.list is read again when it changed while it was read.
func (c *Client) envelopes(ctx context.Context, r request, start func(), each func(env *envelope) (int, error)) error {
	for try := 1; ; try++ {
		if start != nil {
			start()
		}
		err := c.readPages(ctx, r, each)
		var shift *listingShift
		if r.list == "" || !errors.As(err, &shift) {
			return err
		}
		if try == listingTries {
			return &ListingChangedError{Op: r.op, List: r.list, Tries: try, Why: shift.why}
		}
		if c.s.logger != nil {
			c.s.logger.LogAttrs(ctx, slog.LevelDebug, "listing changed while read; reading it again",
				slog.String("op", r.op), slog.Int("try", try), slog.String("why", shift.why))
		}
	}
}

// readPages reads a listing once, from its first page.
func (c *Client) readPages(ctx context.Context, r request, each func(env *envelope) (int, error)) error {
	env, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	n, err := each(env)
	if err != nil {
		return err
	}
	first := env.ResultInfo
	total, err := pageCount(first, 1, c.maxPages)
	if err != nil {
		return fmt.Errorf("%s: %w", r.op, err)
	}
	for done := 1; n > 0 && total > done; {
		if total > c.maxPages {
			return fmt.Errorf("%s: more than %d pages; refusing to follow further", r.op, c.maxPages)
		}
		envs, err := c.fetchPages(ctx, r, done+1, total)
		if err != nil {
			return err
		}
		for i, env := range envs {
			page := done + 1 + i
			if err := checkPage(env.ResultInfo, page); err != nil {
				return fmt.Errorf("%s: %w", r.op, err)
			}
			if r.list != "" {
				if why := totalsChanged(first, env.ResultInfo, page); why != "" {
					return &listingShift{why}
				}
			}
			if n, err = each(env); err != nil {
				return err
			}
			if n == 0 {
				if r.list != "" && page < total {
					return &listingShift{fmt.Sprintf("page %d of %d was empty", page, total)}
				}
				return nil
			}
		}
		// The last page has the last word on how many there are.
		done = total
		if total, err = pageCount(envs[len(envs)-1].ResultInfo, done, c.maxPages); err != nil {
			return fmt.Errorf("%s: %w", r.op, err)
		}
	}
	return nil
}

// totalsChanged says how page's result_info counts other totals than the
// first page's did ("" when it does not): the listing changed between the
// two reads. A total either page leaves out (0) is not compared.
func totalsChanged(first, info *resultInfo, page int) string {
	if first == nil || info == nil {
		return ""
	}
	for _, f := range []struct {
		name        string
		first, this float64
	}{{"total_count", first.TotalCount, info.TotalCount}, {"total_pages", first.TotalPages, info.TotalPages}} {
		if f.first > 0 && f.this > 0 && f.first != f.this {
			return fmt.Sprintf("page %d counted %s %v, page 1 %v", page, f.name, f.this, f.first)
		}
	}
	return ""
}

// fetchPages gets pages from..to of r concurrently and returns their
// envelopes in page order. The first failure cancels the others and is
// returned.
func (c *Client) fetchPages(ctx context.Context, r request, from, to int) ([]*envelope, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	envs := make([]*envelope, to-from+1)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	slots := make(chan struct{}, max(c.pageConcurrency, 1))
	for i := range envs {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		pr := r
		pr.query = url.Values{"page": {strconv.Itoa(from + i)}}
		for k, v := range r.query { // the first request's own (per_page)
			if k != "page" {
				pr.query[k] = v
			}
		}
		wg.Go(func() {
			defer func() { <-slots }()
			env, err := c.do(ctx, pr)
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
				return
			}
			envs[i] = env
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil { // the caller's context ended before every page was asked for
		return nil, fmt.Errorf("%s: %w", r.op, context.Cause(ctx))
	}
	return envs, nil
}

// checkPage checks that the page answered is the page requested.
func checkPage(info *resultInfo, requested int) error {
	if info != nil && info.Page > 0 && info.Page != float64(requested) {
		return fmt.Errorf("asked for page %d, server answered page %v; it does not paginate as its result_info claims", requested, info.Page)
	}
	return nil
}

// pageCount reads result_info after fetching page requested: how many pages
// the listing has (requested when it says nothing of more). Counts past
// limit are returned as limit+1.
func pageCount(info *resultInfo, requested, limit int) (int, error) {
	if err := checkPage(info, requested); err != nil {
		return 0, err
	}
	if info == nil {
		return requested, nil
	}
	var total float64
	switch {
	case info.TotalPages > 0:
		total = math.Ceil(info.TotalPages)
	case info.PerPage > 0 && info.TotalCount > 0:
		total = math.Ceil(info.TotalCount / info.PerPage)
	}
	if !(total <= float64(limit)) { // also NaN
		return limit + 1, nil
	}
	return max(int(total), requested), nil
}
