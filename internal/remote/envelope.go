package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// envelope is Cloudflare's response wrapper (notes §2):
// {success, errors[{code,message}], messages[], result, result_info?}.
type envelope struct {
	Success    *bool           `json:"success"`
	Errors     []ErrorItem     `json:"errors"`
	Result     json.RawMessage `json:"result"`
	ResultInfo *resultInfo     `json:"result_info"`
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
// all (wrong base URL, say) is a plain error that says so.
func (c *Client) decode(cl *call, resp *http.Response) (*envelope, error) {
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if readErr == nil && len(body) > maxBodyBytes {
		readErr = errBodyTooLarge
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
	return &APIError{Op: cl.op, Method: cl.method, Path: cl.path, Status: status, Attempts: cl.attempts}
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
// page), and while result_info says there is more, ask for the next page.
// A bare array with no result_info (what /integrations really returns) is
// one request.
//
// Servers that do not page the way they claim are caught rather than
// looped on: a page number in result_info that differs from the one asked
// for is an error, and so is going past maxPages.

// pages fetches every page of r and hands each page's result to each, which
// returns how many items the page held. An empty page ends the listing
// (items disappeared between requests; there is nothing more to read).
func (c *Client) pages(ctx context.Context, r request, each func(result json.RawMessage) (int, error)) error {
	for page := 1; ; {
		env, err := c.do(ctx, r)
		if err != nil {
			return err
		}
		n, err := each(env.Result)
		if err != nil {
			return err
		}
		next, more, err := nextPage(env.ResultInfo, page)
		if err != nil {
			return fmt.Errorf("%s: %w", r.op, err)
		}
		if !more || n == 0 {
			return nil
		}
		if next > c.maxPages {
			return fmt.Errorf("%s: more than %d pages; refusing to follow further", r.op, c.maxPages)
		}
		page = next
		r.query = url.Values{"page": {strconv.Itoa(page)}}
	}
}

// nextPage reads result_info after fetching page requested.
func nextPage(info *resultInfo, requested int) (next int, more bool, err error) {
	if info == nil {
		return 0, false, nil
	}
	if info.Page > 0 && int(info.Page) != requested {
		return 0, false, fmt.Errorf("asked for page %d, server answered page %v; it does not paginate as its result_info claims", requested, info.Page)
	}
	switch {
	case info.TotalPages > 0:
		more = float64(requested) < info.TotalPages
	case info.PerPage > 0 && info.TotalCount > 0:
		more = float64(requested)*info.PerPage < info.TotalCount
	}
	return requested + 1, more, nil
}
