package emulator

import (
	"net/http"
	"strconv"
)

const (
	defaultPerPage = 20
	maxPerPage     = 100
)

// clampPerPage applies the default for 0 and Cloudflare's usual cap of 100.
func clampPerPage(n, def int) int {
	if n <= 0 {
		n = def
	}
	return min(n, maxPerPage)
}

// pageParams reads the generic page/per_page query params (the 2024 spec
// had them; docs/api.md#pagination says to tolerate and may honour them). Other params,
// such as order_by and direction, are ignored. per_page above 100 is
// capped rather than refused.
func pageParams(r *http.Request, defPerPage int) (page, perPage int, rp *reply) {
	q := r.URL.Query()
	page, perPage = 1, clampPerPage(defPerPage, defaultPerPage)
	for _, param := range []struct {
		name string
		dst  *int
	}{{"page", &page}, {"per_page", &perPage}} {
		name, s := param.name, q.Get(param.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			bad := failf(http.StatusBadRequest, codeBadQuery, "Query parameter %s must be a positive integer, got %q", name, s)
			return 0, 0, &bad
		}
		*param.dst = n
	}
	return page, min(perPage, maxPerPage), nil
}

// paginate cuts one page out of items. A page past the end is empty but
// still reports the true totals. total_pages is at least 1, even for none.
func paginate[T any](items []T, page, perPage int) ([]T, resultInfo) {
	total := len(items)
	info := resultInfo{
		Page:       page,
		PerPage:    perPage,
		TotalCount: total,
		TotalPages: max(1, (total+perPage-1)/perPage),
	}
	out := []T{}                 // an empty page is [], never null
	if page <= info.TotalPages { // also keeps (page-1)*perPage from overflowing
		start := (page - 1) * perPage
		out = append(out, items[start:min(start+perPage, total)]...)
	}
	info.Count = len(out)
	return out, info
}
