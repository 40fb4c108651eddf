// Package kit holds no code: its tests check the files riskctl ships
// besides the binary against the real command tree. workflows_test.go
// checks the CI kit in .github/workflows (every riskctl command in a run:
// script exists, secrets stay out of scripts, actions are pinned);
// release_test.go checks the release policy (.goreleaser.yaml, release.yml,
// action.yml, .pre-commit-hooks.yaml and the GoReleaser version in .ci/run
// agree); binding_test.go runs the apply workflow's plan selection and
// binding check under node with the GitHub API and gh stubbed; docs_map_test.go checks that docs/development.md's package map
// names every package directory under internal/, cmd/ and test/, and no
// other.
//
// The tests read those files relative to the repository root, so TestMain
// changes to it first: run them from anywhere with go test ./test/kit.
package kit
