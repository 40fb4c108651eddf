// Package e2e holds no code: its tests run riskctl's whole command line
// in-process (cli.Main, as main does) against the emulator over real HTTP.
// security_test.go is the security suite: every command, every output
// channel, honest and hostile servers, and no credential may leave.
// bench_test.go measures `riskctl plan` end to end (BENCHMARKS.md).
package e2e
