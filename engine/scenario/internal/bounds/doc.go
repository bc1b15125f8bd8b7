// Package bounds holds the bounds on reading a scenario file and the two
// checks that keep the YAML parser within them: [Prescan], over the bytes
// before goccy/go-yaml parses them, and [ExpandAliases], over the parsed
// tree before the scenario's decoder walks it. A scenario may come from a
// pull request that CI validates, so a small file must never exhaust
// memory or time; docs/scenarios.md#limits lists the bounds for users.
//
//	if c, err := bounds.Prescan(ctx, data); err != nil {
//		return err // ctx is done
//	} else if c != nil {
//		report(c.Line, c.Column, c.Msg) // the first bound crossed
//	}
//
// Both are functions of their input and safe for concurrent use.
package bounds
