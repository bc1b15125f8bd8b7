// Package runid names soak runs: the engine's default Plan.RunID and the
// CLI's default results directory are one id, made in one place.
//
//	id := runid.New(time.Now()) // "20261128T051500Z-3f9a"
//
// New is safe for concurrent use.
package runid
