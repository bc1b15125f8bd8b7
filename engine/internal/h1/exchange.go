package h1

import (
	"io"
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// exchange writes a request and reads the first bytes of its response
// with one wait in Go's netpoller between them and no read that finds
// nothing: the request is written from inside syscall.RawConn.Read's
// callback, after the runtime has armed the wait for readability, so the
// callback's next call (when the response has arrived) reads at once.
//
// A plain net.Conn Write then Read costs, on loopback, a read that
// returns EAGAIN about 4 times in 10 before the goroutine parks (issue
// 18: 1 write and 1.4 reads per request, 72 % of the generator's CPU in
// those calls). The exchange makes it 1 write and 1 read when the
// response fits its first read.
//
// It is the io.Reader under the response parser: the first Read does the
// exchange, later ones read the connection as usual. A request the
// socket does not take whole without blocking (larger than the send
// buffer) is finished with the connection's Write and read as usual.
//
// The wait is armed after the write, so a close the server announced
// before it (a FIN while the connection was idle) wakes nobody: a server
// that shuts its side and goes on reading would leave the request waiting
// for its deadline, where a plain read returns EOF at once and the
// request is retried on a fresh connection. So Conn uses the exchange on a
// reused connection only when its caller's previous request ended less
// than ExchangeIdle ago (a user with no think time, whose next request
// follows at once); a fresh or idle connection takes the plain Write and
// Read. A server that half-closes within that millisecond of a response
// without saying "Connection: close" still holds the request until it
// closes for good or the deadline passes.
//
// An exchange belongs to one Conn and is used by one goroutine.
type exchange struct {
	nc      net.Conn
	rc      syscall.RawConn
	pending []byte // the request's bytes not yet written; nil once written
	started bool   // the first Read has been done

	// The callback's arguments and results.
	p   []byte
	n   int
	err error

	step func(fd uintptr) bool // x.stepFD, bound once (no allocation per request)
}

// ExchangeIdle is how long after the previous request a connection is
// still sent requests by the exchange (see RoundTrip's idle).
const ExchangeIdle = time.Millisecond

// rawConn returns nc's syscall.RawConn when nc is a plain TCP connection
// (the exchange's case), or nil.
func rawConn(nc net.Conn) syscall.RawConn {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// reset prepares x to send req on nc (whose RawConn is rc).
func (x *exchange) reset(nc net.Conn, rc syscall.RawConn, req []byte) {
	if x.step == nil {
		x.step = x.stepFD
	}
	x.nc, x.rc, x.pending, x.started = nc, rc, req, false
}

// Read implements io.Reader for the response parser.
func (x *exchange) Read(p []byte) (int, error) {
	if x.started {
		return x.nc.Read(p)
	}
	x.started = true
	x.p, x.n, x.err = p, 0, nil
	err := x.rc.Read(x.step)
	x.p = nil
	if err != nil {
		return 0, err // the deadline, or the connection closed under us
	}
	if x.err != nil || x.n > 0 {
		return x.n, x.err
	}
	// The socket did not take the whole request without blocking.
	if _, err := x.nc.Write(x.pending); err != nil {
		return 0, err
	}
	x.pending = nil
	return x.nc.Read(p)
}

// stepFD is RawConn.Read's callback. Its first call writes the request and
// asks to wait for readability; later calls read. It returns true when
// Read has its result in x.n and x.err (or must finish the write).
func (x *exchange) stepFD(fd uintptr) bool {
	for x.pending != nil {
		if len(x.pending) == 0 {
			x.pending = nil
			return false // written: wait for the response
		}
		n, err := rawIO(syscall.SYS_WRITE, fd, x.pending)
		switch {
		case err == syscall.EINTR:
		case err == syscall.EAGAIN:
			return true // Read finishes the write with the connection's Write
		case err != nil:
			x.err = opError("write", x.nc, err)
			return true
		default:
			x.pending = x.pending[n:]
		}
	}
	for {
		n, err := rawIO(syscall.SYS_READ, fd, x.p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return false // a spurious wake-up: wait again
		case err != nil:
			x.err = opError("read", x.nc, err)
		case n == 0:
			x.err = io.EOF
		default:
			x.n = n
		}
		return true
	}
}

// rawIO is read(2) or write(2) of b on fd without telling the scheduler:
// the socket is non-blocking, so the call never waits, and the goroutine
// keeps its P (syscall.Read and Write would let sysmon hand the P to
// another thread when a loopback write, which runs the receiver's TCP
// input too, is slow on a loaded machine).
func rawIO(trap, fd uintptr, b []byte) (int, error) {
	n, _, e := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// opError wraps a system call's error as net.Conn's Read and Write do, so
// that callers classify it the same way.
func opError(op string, nc net.Conn, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: nc.LocalAddr(), Addr: nc.RemoteAddr(), Err: os.NewSyscallError(op, err)}
}
