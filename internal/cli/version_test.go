package cli

import "testing"

func TestVersionLine(t *testing.T) {
	for _, tc := range []struct {
		version, commit, date, want string
	}{
		{"v1.2.3", "0123abc", "2026-03-30T17:47:26Z", "riskctl v1.2.3 (commit 0123abc, date 2026-03-30T17:47:26Z)"},
		{"v1.2.3", "0123abc-dirty", "", "riskctl v1.2.3 (commit 0123abc-dirty)"},
		{"dev", "", "2026-03-30T17:47:26Z", "riskctl dev (date 2026-03-30T17:47:26Z)"},
		{"dev", "", "", "riskctl dev"},
	} {
		if got := versionLine(tc.version, tc.commit, tc.date); got != tc.want {
			t.Errorf("versionLine(%q, %q, %q) = %q, want %q", tc.version, tc.commit, tc.date, got, tc.want)
		}
	}
}

// The link-time values (what a release build stamps, see .goreleaser.yaml)
// win over the build info.
func TestVersionLinkTimeValues(t *testing.T) {
	saved := [3]string{version, commit, date}
	t.Cleanup(func() { version, commit, date = saved[0], saved[1], saved[2] })

	version, commit, date = "v9.8.7", "fedcba9876543210fedcba9876543210fedcba98", "2026-01-02T03:04:05Z"
	if got := Version(); got != "v9.8.7" {
		t.Errorf("Version() = %q, want the link-time v9.8.7", got)
	}
	rev, at := buildCommit()
	if rev != commit || at != date {
		t.Errorf("buildCommit() = %q, %q; want the link-time %q, %q", rev, at, commit, date)
	}
	out := runMain(t, "version")
	want := "riskctl v9.8.7 (commit fedcba9876543210fedcba9876543210fedcba98, date 2026-01-02T03:04:05Z)\n"
	if out != want {
		t.Errorf("riskctl version printed %q, want %q", out, want)
	}
}
