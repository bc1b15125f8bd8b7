// Package outpath checks, before a scenario is read or any load is sent,
// that soak can write its outputs where it was told to: a results
// directory (ResultsDir), a directory it will make (Makeable), a file in
// an existing directory (File) or in one it will make (FileMakeable).
// Each check makes and removes a file where it would write, so that
// permissions and read-only mounts show, not only existence.
//
// Errors say what is wrong without the path (the caller names the flag
// and its value); Pathless drops the path an *fs.PathError repeats. The
// checks touch only the file system, so concurrent use is as safe as the
// paths are stable.
package outpath
