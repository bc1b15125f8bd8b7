package outpath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/soaklab/soak/cmd/soak/internal/results"
)

// ResultsDir checks that dir can become a results directory: an
// existing directory without a run in it, or a path whose nearest
// existing ancestor is a writable directory.
func ResultsDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return errors.New("exists and is not a directory")
	case err == nil:
		if _, err := os.Stat(filepath.Join(dir, results.RunFile)); err == nil {
			return fmt.Errorf("already holds a run's results (%s); choose another --out", results.RunFile)
		}
		return writable(dir)
	case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
		return Pathless(err)
	}
	parent := filepath.Dir(dir)
	if parent == dir {
		return Pathless(err)
	}
	return Makeable(parent)
}

// Makeable checks that soak can make directory dir: its nearest existing
// ancestor (dir itself if it exists) is a writable directory.
func Makeable(dir string) error {
	for {
		fi, err := os.Stat(dir)
		switch {
		case err == nil && !fi.IsDir():
			return fmt.Errorf("%s is not a directory", dir)
		case err == nil:
			return writable(dir)
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
			return Pathless(err)
		}
		up := filepath.Dir(dir)
		if up == dir {
			return fmt.Errorf("%s does not exist", dir)
		}
		dir = up
	}
}

// File checks that the file name can be written: its directory exists
// and is writable, and name is not a directory.
func File(name string) error {
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory", name)
	}
	dir := filepath.Dir(name)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %s does not exist", dir)
	case err != nil:
		return Pathless(err)
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	return writable(dir)
}

// writable checks that a file can be made in dir by making one and
// removing it: permissions, read-only mounts and the like all show.
func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".soak-write-check-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %v", dir, Pathless(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// Pathless drops the path an *fs.PathError repeats.
func Pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// FileMakeable checks that the file name can be written in a directory
// soak may still have to make: name is not a directory, and its
// directory is Makeable.
func FileMakeable(name string) error {
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory", name)
	}
	return Makeable(filepath.Dir(name))
}
