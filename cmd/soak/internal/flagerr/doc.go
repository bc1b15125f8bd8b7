// Package flagerr rewords package flag's parse errors for the person at
// the command line: the flag as they typed it (--userz, not Go's -userz),
// a short flag's long name beside it (-u (--users)), what a value should
// be instead of "parse error", and a "did you mean" for an unknown flag
// (engine/scenario's Suggest, so that a typo gets the same hint as in a
// scenario file):
//
//	err := fs.Parse(args)
//	err = flagerr.Reword(fs, args, err)
//	// flag provided but not defined: --userz (did you mean "--users"?)
//
// It only reads the FlagSet; safe for concurrent use on FlagSets nobody
// is changing.
package flagerr
