package riskreport

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteMarkdown writes r as GitHub-flavoured Markdown with Mermaid charts,
// which GitHub renders in issues, comments and step summaries. Each chart
// has a table beside it with the exact figures and names (a chart's
// labels are simplified, mermaidLabel).
func WriteMarkdown(w io.Writer, r Report) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "## User risk report\n\n%s\n", summary(r))
	for _, n := range notes(r) {
		fmt.Fprintf(b, "\n> %s\n", n)
	}

	b.WriteString("\n### Users by highest risk level\n\n")
	if r.Users == 0 {
		b.WriteString("No user has risk events.\n")
	} else {
		b.WriteString("```mermaid\n" + mermaidPie("Users by highest risk level", r.ByLevel) + "```\n\n")
		b.WriteString("| Level | Users |\n|---|---:|\n")
		for _, c := range r.ByLevel {
			fmt.Fprintf(b, "| %s | %d |\n", c.Name, c.N) // level names are the report's own (levelName)
		}
	}

	b.WriteString("\n### Risk events by behavior\n\n")
	if r.Events == 0 {
		b.WriteString("No risk events were read.\n")
	} else {
		fmt.Fprintf(b, "%s, since each user's last reset.\n\n", eventsOf(r))
		labels, values := make([]string, len(r.ByBehavior)), make([]int, len(r.ByBehavior))
		for i, c := range r.ByBehavior {
			labels[i], values[i] = mermaidLabel(behaviorLabel(r, i)), c.N
		}
		b.WriteString("```mermaid\n" + mermaidBars("Risk events by behavior", true, labels, values) + "```\n\n")
		b.WriteString("| Behavior | Events |\n|---|---:|\n")
		for i, c := range r.ByBehavior {
			name := mdCode(c.Name)
			if i == len(r.ByBehavior)-1 && r.Folded > 0 {
				name = fmt.Sprintf("%d other behaviors", r.Folded)
			}
			fmt.Fprintf(b, "| %s | %d |\n", name, c.N)
		}
	}

	b.WriteString("\n### Risk events per day\n\n")
	first, last := r.PerDay[0].Day, r.PerDay[len(r.PerDay)-1].Day
	fmt.Fprintf(b, "The last %d days, %s to %s (UTC): %s.\n", r.Days, day(first), day(last), plural(r.InWindow, "event"))
	if r.InWindow == 0 {
		if !r.Newest.IsZero() {
			fmt.Fprintf(b, "The newest event read is of %s.\n", day(r.Newest))
		}
	} else {
		labels, values := make([]string, len(r.PerDay)), make([]int, len(r.PerDay))
		for i, d := range r.PerDay {
			labels[i], values[i] = d.Day.Format("01-02"), d.N
		}
		b.WriteString("\n```mermaid\n" + mermaidBars("Risk events per day", false, labels, values) + "```\n")
	}

	if r.Top.Level != "" {
		n := len(r.Top.Users) + r.Top.More
		fmt.Fprintf(b, "\n### Users at %s risk (%d)\n\n", r.Top.Level, n)
		if r.ShowUsers {
			b.WriteString("| User | Email | Events | Last event | Latest events |\n|---|---|---:|---|---|\n")
		} else {
			b.WriteString("| # | Events | Last event | Latest events |\n|---:|---:|---|---|\n")
		}
		for i, u := range r.Top.Users {
			if r.ShowUsers {
				fmt.Fprintf(b, "| %s | %s ", mdCode(u.Name), mdCode(u.Email))
			} else {
				fmt.Fprintf(b, "| %d ", i+1)
			}
			fmt.Fprintf(b, "| %d | %s | %s |\n", u.Events, stamp(u.LastEvent), mdLatest(u))
		}
		if r.Top.More > 0 {
			fmt.Fprintf(b, "\nAnd %d more at %s risk.\n", r.Top.More, r.Top.Level)
		}
	}
	return b.Flush()
}

// summary is the report's first sentence.
func summary(r Report) string {
	s := fmt.Sprintf("Made %s. %s with risk events", stamp(r.Now), capital(plural(r.Users, "user")))
	if r.Users == 0 {
		return s + "."
	}
	return s + fmt.Sprintf("; %s read.", eventsOf(r))
}

// eventsOf says whose events were read: "18 events of 12 users".
func eventsOf(r Report) string {
	return fmt.Sprintf("%s of %s", plural(r.Events, "event"), plural(r.Read, "user"))
}

// notes are what a reader must know to trust the figures: a report cut
// short by --max-users, users reset meanwhile, and hidden names.
func notes(r Report) []string {
	var out []string
	if r.Unread > 0 {
		out = append(out, fmt.Sprintf("**Cut short:** the events of %d of %d users were read (`--max-users %d`, highest risk first); "+
			"the charts of events and the latest events count those users only.", r.Read+r.Gone, r.Users, r.MaxUsers))
	}
	if r.Gone > 0 {
		out = append(out, fmt.Sprintf("%s had no risk events any more when read (reset meanwhile); not counted in the events.",
			capital(plural(r.Gone, "user"))))
	}
	if !r.ShowUsers && r.Top.Level != "" {
		out = append(out, "Names and emails are hidden; `--show-users` lists them (for a report only its readers may see).")
	}
	return out
}

// behaviorLabel is the i-th behavior's name for a chart: the folded
// entry is "other (N)".
func behaviorLabel(r Report, i int) string {
	if i == len(r.ByBehavior)-1 && r.Folded > 0 {
		return fmt.Sprintf("%d others", r.Folded)
	}
	return r.ByBehavior[i].Name
}

// mdLatest is a user's latest events for a table cell.
func mdLatest(u TopUser) string {
	if !u.Read {
		return "not read"
	}
	parts := make([]string, len(u.Latest))
	for i, e := range u.Latest {
		parts[i] = fmt.Sprintf("%s (%s, %s)", mdCode(e.Behavior), e.Level, stamp(e.Time))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "<br>")
}

// mermaidPie is a pie chart of counts; their names are the report's own
// (levels) and pass mermaidLabel all the same.
func mermaidPie(title string, counts []Count) string {
	var b strings.Builder
	fmt.Fprintf(&b, "pie showData title %s\n", mermaidLabel(title))
	for _, c := range counts {
		fmt.Fprintf(&b, "    \"%s\" : %d\n", mermaidLabel(c.Name), c.N)
	}
	return b.String()
}

// mermaidBars is an xychart of one bar series; labels must already be
// mermaidLabel's.
func mermaidBars(title string, horizontal bool, labels []string, values []int) string {
	var b strings.Builder
	b.WriteString("xychart-beta")
	if horizontal {
		b.WriteString(" horizontal")
	}
	fmt.Fprintf(&b, "\n    title \"%s\"\n    x-axis [", mermaidLabel(title))
	seen := map[string]int{}
	for i, l := range labels {
		// Two names can make one label (mermaidLabel, shorten), and an
		// axis draws equal labels as one place: number the repeats.
		if seen[l]++; seen[l] > 1 {
			l = fmt.Sprintf("%s (%d)", l, seen[l])
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + l + `"`)
	}
	top := 1
	nums := make([]string, len(values))
	for i, v := range values {
		top = max(top, v)
		nums[i] = strconv.Itoa(v)
	}
	fmt.Fprintf(&b, "]\n    y-axis \"Events\" 0 --> %d\n    bar [%s]\n", top, strings.Join(nums, ", "))
	return b.String()
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// plural is "1 user", "2 users".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// capital makes the first letter of s upper case (s is ASCII, the
// report's own words).
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
