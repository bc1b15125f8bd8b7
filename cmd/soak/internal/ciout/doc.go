// Package ciout writes what CI systems read from a command that gives a
// verdict: a JUnit XML report (one test case per target, detector and
// comparison check; failures carry the evidence) and GitHub Actions
// workflow commands (::error and ::warning lines, escaped by GitHub's
// rules). It knows nothing of soak's analysis: cmd/soak turns verdicts
// into [Case]s.
package ciout
