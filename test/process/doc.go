// Package process holds no code: its tests build the riskctl binary once
// and run it as a user's shell or CI would, against an emulator over real
// HTTP, to test what only a whole process shows. signals_test.go sends
// SIGINT and SIGTERM in the middle of a run; concurrency_test.go runs two
// applies at once and kills applies (SIGKILL) at random moments, then
// checks the account converges with no duplicate.
package process
