package fileread

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Errors of Open and of reading; they match (errors.Is) the errors
// returned, whose text says more.
var (
	// ErrNotRegular: the name is a directory, FIFO, socket or device.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge: the file is larger than the caller's bound.
	ErrTooLarge = errors.New("too large")
	// ErrSizeChanged: the file holds more than its size when opened (a
	// /proc or /sys file, or one being written).
	ErrSizeChanged = errors.New("holds more than its size")
)

// File is an open regular file and its size when opened. Not safe for
// concurrent use.
type File struct {
	f    fs.File
	Size int64 // bytes, from the opened file's stat
	read int64 // bytes handed out by Read so far
	max  int64 // the bound of Reader or ReadAll; 0 until set
}

// Open opens the regular file name for reading.
func Open(name string) (*File, error) {
	return open(func() (fs.FileInfo, error) { return os.Stat(name) },
		func() (fs.File, error) { return os.OpenFile(name, openFlags, 0) })
}

// OpenRoot opens the regular file name inside root (see [os.Root]: name
// may not leave root, by "..", an absolute path or a symbolic link).
func OpenRoot(root *os.Root, name string) (*File, error) {
	return open(func() (fs.FileInfo, error) { return root.Stat(name) },
		func() (fs.File, error) { return root.OpenFile(name, openFlags, 0) })
}

// OpenFS opens the regular file name of fsys.
func OpenFS(fsys fs.FS, name string) (*File, error) {
	return open(func() (fs.FileInfo, error) { return fs.Stat(fsys, name) },
		func() (fs.File, error) { return fsys.Open(name) })
}

func open(stat func() (fs.FileInfo, error), openFile func() (fs.File, error)) (*File, error) {
	fi, err := stat()
	if err != nil {
		return nil, pathless(err)
	}
	if err := regular(fi); err != nil {
		return nil, err
	}
	f, err := openFile()
	if err != nil {
		return nil, pathless(err)
	}
	fi, err = f.Stat()
	if err == nil {
		err = regular(fi)
	}
	if err != nil {
		f.Close()
		return nil, pathless(err)
	}
	return &File{f: f, Size: fi.Size()}, nil
}

// regular refuses what is not a regular file, naming what it is.
func regular(fi fs.FileInfo) error {
	m := fi.Mode()
	if m.IsRegular() {
		return nil
	}
	what := "an irregular file"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("%w: %s", ErrNotRegular, what)
}

// pathless drops the path an *fs.PathError repeats.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Reader returns f as a reader of at most max bytes (max > 0): past max,
// or past f's size, Read returns an error (ErrTooLarge, ErrSizeChanged)
// instead of the bytes. A file larger than max fails on the first Read,
// before anything is read.
func (f *File) Reader(max int64) io.Reader {
	f.max = max
	return f
}

// Read reads from the file within the bounds of Reader (or ReadAll).
func (f *File) Read(p []byte) (int, error) {
	if f.max <= 0 {
		return 0, errors.New("fileread: Read before Reader")
	}
	if f.Size > f.max {
		return 0, tooLarge(f.max)
	}
	// Read one byte past the bound, to tell a file that ends there from
	// one that goes on; that byte is never returned.
	limit := min(f.Size, f.max) + 1 - f.read
	if int64(len(p)) > limit {
		p = p[:limit]
	}
	n, err := f.f.Read(p)
	if f.read+int64(n) > f.Size {
		n = int(f.Size - f.read)
		err = fmt.Errorf("%w (%d bytes when opened): a /proc or /sys file, or one being written; not read", ErrSizeChanged, f.Size)
	}
	f.read += int64(n)
	return n, err
}

// ReadAll reads the whole file, at most max bytes (see Reader).
func (f *File) ReadAll(max int64) ([]byte, error) {
	if f.Size > max {
		return nil, tooLarge(max)
	}
	// One byte more than the size: Read fills it only to find that the
	// file grew, and then fails.
	b := make([]byte, 0, f.Size+1)
	r := f.Reader(max)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if errors.Is(err, io.EOF) {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// ReadFile reads the regular file name, at most max bytes.
func ReadFile(name string, max int64) ([]byte, error) {
	f, err := Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadAll(max)
}

// tooLarge is ErrTooLarge saying the bound: "larger than 4 MiB" (in
// bytes unless it is a whole number of MiB).
func tooLarge(max int64) error { return &sizeError{max} }

type sizeError struct{ max int64 }

func (e *sizeError) Error() string {
	if e.max >= 1<<20 && e.max%(1<<20) == 0 {
		return fmt.Sprintf("larger than %d MiB", e.max>>20)
	}
	return fmt.Sprintf("larger than %d bytes", e.max)
}

func (e *sizeError) Is(target error) bool { return target == ErrTooLarge }
