package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// shiftingList serves a list of objects by pages of perPage, with
// Cloudflare's result_info, as the list is at the moment each page is
// asked for. change, when set, changes the list after the n-th request
// for the first page has been served (n from 1).
type shiftingList struct {
	t       *testing.T
	perPage int
	item    func(id string) string // the JSON of an object

	mu     sync.Mutex
	ids    []string
	firsts int
	change func(n int, ids []string) []string
}

func (l *shiftingList) handler(w http.ResponseWriter, r *http.Request) {
	page := 1
	if p := r.URL.Query().Get("page"); p != "" {
		var err error
		if page, err = strconv.Atoi(p); err != nil || page < 1 {
			l.t.Errorf("bad page %q", p)
		}
	}
	l.mu.Lock()
	from, to := min((page-1)*l.perPage, len(l.ids)), min(page*l.perPage, len(l.ids))
	var items []string
	for _, id := range l.ids[from:to] {
		items = append(items, l.item(id))
	}
	info := fmt.Sprintf(`{"page":%d,"per_page":%d,"count":%d,"total_count":%d,"total_pages":%d}`,
		page, l.perPage, to-from, len(l.ids), (len(l.ids)+l.perPage-1)/l.perPage)
	if page == 1 {
		l.firsts++
		if l.change != nil {
			l.ids = l.change(l.firsts, l.ids)
		}
	}
	l.mu.Unlock()
	okPage(`[`+strings.Join(items, ",")+`]`, info)(w, r)
}

func integrationWithID(id string) string {
	return strings.Replace(integrationJSON, integrationID, id, 2)
}

func integrationIDs(ins []Integration) []string {
	var ids []string
	for _, in := range ins {
		ids = append(ids, in.ID)
	}
	return ids
}

// A page-1 integration is deleted after page 1 was read: c moves from
// page 2 to page 1, and a read page by page misses it, so a plan would
// create a copy of it (issue 18). The client sees the totals change and
// reads the list again.
func TestListIntegrationsReadsAShiftedListAgain(t *testing.T) {
	f := newFake(t)
	l := &shiftingList{t: t, perPage: 2, item: integrationWithID, ids: []string{"a", "b", "c", "d", "e"},
		change: func(n int, ids []string) []string {
			if n == 1 {
				return ids[1:] // a is deleted
			}
			return ids
		}}
	f.handle("GET /integrations", l.handler)
	got, err := f.client().ListIntegrations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ids := integrationIDs(got); !reflect.DeepEqual(ids, []string{"b", "c", "d", "e"}) {
		t.Errorf("listed %q, want the list as it is: b c d e", ids)
	}
}

// An integration is added in front and the last one deleted: the totals
// stay the same, but b is listed on page 1 and again on page 2.
func TestListIntegrationsSeesAnIDOnTwoPages(t *testing.T) {
	f := newFake(t)
	l := &shiftingList{t: t, perPage: 2, item: integrationWithID, ids: []string{"a", "b", "c", "d"},
		change: func(n int, ids []string) []string {
			if n == 1 {
				return []string{"x", "a", "b", "c"}
			}
			return ids
		}}
	f.handle("GET /integrations", l.handler)
	got, err := f.client().ListIntegrations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ids := integrationIDs(got); !reflect.DeepEqual(ids, []string{"x", "a", "b", "c"}) {
		t.Errorf("listed %q, want x a b c", ids)
	}
}

// A list that changes every time it is read fails after three reads,
// saying so, rather than return what it read.
func TestListIntegrationsThatKeepsChangingFails(t *testing.T) {
	f := newFake(t)
	l := &shiftingList{t: t, perPage: 2, item: integrationWithID, ids: []string{"a", "b", "c"},
		change: func(n int, ids []string) []string { return append([]string{fmt.Sprintf("new%d", n)}, ids...) }}
	f.handle("GET /integrations", l.handler)
	got, err := f.client().ListIntegrations(context.Background())
	var changed *ListingChangedError
	if !errors.As(err, &changed) || got != nil {
		t.Fatalf("got %q, %v; want a *ListingChangedError", integrationIDs(got), err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "list integrations: the integrations list changed while it was read, 3 times; try again (the last time ") {
		t.Errorf("message %q", msg)
	}
	if l.firsts != 3 {
		t.Errorf("the first page was read %d times, want 3", l.firsts)
	}
}

// An empty page before the last one is a list that shrank while it was
// read: the list is read again, not cut short.
func TestListIntegrationsEmptyPageIsReadAgain(t *testing.T) {
	f := newFake(t)
	// Page 1 and 2 of a list of 5 by 2 claim 3 pages; the first time,
	// page 2 answers empty (with the same totals).
	var mu sync.Mutex
	emptied := false
	full := &shiftingList{t: t, perPage: 2, item: integrationWithID, ids: []string{"a", "b", "c", "d", "e"}}
	f.handle("GET /integrations", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		first := !emptied && r.URL.Query().Get("page") == "2"
		if first {
			emptied = true
		}
		mu.Unlock()
		if first {
			okPage(`[]`, `{"page":2,"per_page":2,"count":0,"total_count":5,"total_pages":3}`)(w, r)
			return
		}
		full.handler(w, r)
	})
	got, err := f.client().ListIntegrations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ids := integrationIDs(got); !reflect.DeepEqual(ids, []string{"a", "b", "c", "d", "e"}) {
		t.Errorf("listed %q, want a b c d e", ids)
	}
}

// The Access lists plan reads are checked the same way; an id from the
// server is printed escaped.
func TestListAccessGroupsReadsAShiftedListAgain(t *testing.T) {
	f := newFake(t)
	group := func(id string) string {
		j, _ := json.Marshal(id)
		return `{"id":` + string(j) + `,"name":"G","include":[{"everyone":{}}],"require":[],"exclude":[]}`
	}
	l := &shiftingList{t: t, perPage: 1, item: group, ids: []string{"g1", "g2\x1b[2K"},
		change: func(n int, ids []string) []string { return []string{ids[1], ids[0]} }} // swapped every time
	f.handle(accessRoute("/groups"), l.handler)
	_, err := f.client().ListAccessGroups(context.Background())
	var changed *ListingChangedError
	if !errors.As(err, &changed) {
		t.Fatalf("err = %v, want a *ListingChangedError", err)
	}
	want := `list access groups: the access groups list changed while it was read, 3 times; try again (the last time object "g1" was on page 1 and on page 2)`
	alt := `list access groups: the access groups list changed while it was read, 3 times; try again (the last time object "g2\x1b[2K" was on page 1 and on page 2)`
	if msg := err.Error(); msg != want && msg != alt {
		t.Errorf("message %q", msg)
	}
	if strings.ContainsRune(err.Error(), 0x1b) {
		t.Errorf("the message carries a raw escape: %q", err.Error())
	}
}
