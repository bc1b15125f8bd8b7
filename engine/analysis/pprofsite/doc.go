// Package pprofsite reads pprof profiles (heap and goroutine, as
// runtime/pprof writes them; parsed with github.com/google/pprof/profile)
// into places in the application's code: a [Site] is a stack's first
// frame that is neither the runtime's nor the standard library's.
//
//	growth, total, err := pprofsite.HeapGrowth(baseHeap, endHeap, 5)
//	// growth[0].Function, .File, .Line: the site whose in-use bytes grew most
//	up, err := pprofsite.GoroutineGrowth(baseGoroutines, nowGoroutines, 1)
//	trends, why := pprofsite.Trends(steadyHeaps, nil, sites, nil, 0.25) // still growing, or flat?
//	pprofsite.OwnerOf(stack, pprofsite.Drivers{PGX: true}) // OwnerService, OwnerGenerator, OwnerDriver, OwnerProbe
//
// Its functions are pure (bytes in, plain data out) and safe for
// concurrent use. engine/analysis turns what they return into its
// findings' suspects; engine/runner names where a live goroutine warning
// comes from. Its errors name the profile ("heap profile: ...") without a
// package prefix: they are parts of their caller's message, and the
// caller adds its own.
package pprofsite
