package flagerr

import (
	"errors"
	"flag"
	"io"
	"testing"
)

// TestReword: each of package flag's errors comes back worded for the
// person who typed args; an error Reword does not know comes back as is.
func TestReword(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--userz", "3"}, `flag provided but not defined: --userz (did you mean "--users"?)`},
		{[]string{"-zzzzzz"}, "flag provided but not defined: -zzzzzz"},
		{[]string{"-u"}, "flag needs an argument: -u (--users)"},
		{[]string{"--users=many"}, `invalid value "many" for --users: not a whole number`},
		{[]string{"-u", "99999999999999999999"}, `invalid value "99999999999999999999" for -u (--users): out of range for a whole number`},
		{[]string{"--ratio", "half"}, `invalid value "half" for --ratio: not a number`},
		{[]string{"--fast=maybe"}, `invalid value "maybe" for --fast: not true or false`},
		{[]string{"--stages", "x"}, `invalid value "x" for --stages: want N:M`},
	} {
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var users int
		fs.IntVar(&users, "users", 0, "")
		fs.IntVar(&users, "u", 0, "")
		fs.Float64("ratio", 0, "")
		fs.Bool("fast", false, "")
		fs.Func("stages", "", func(string) error { return errors.New("want N:M") })
		err := fs.Parse(tc.args)
		if err == nil {
			t.Fatalf("%q parsed", tc.args)
		}
		if got := Reword(fs, tc.args, err); got == nil || got.Error() != tc.want {
			t.Errorf("%q: %v\n want %s", tc.args, got, tc.want)
		}
	}
	other := errors.New("something else")
	if got := Reword(flag.NewFlagSet("x", flag.ContinueOnError), nil, other); got != other {
		t.Errorf("unknown error reworded: %v", got)
	}
}

// FuzzReword: whatever the command line, Reword never panics and always
// returns an error for an error.
func FuzzReword(f *testing.F) {
	for _, s := range []string{"--userz", "-u", "--users=x", "--fast=maybe", "--ratio", "-u=1e99", "---x", "--=", "-"} {
		f.Add(s, "3")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var users int
		fs.IntVar(&users, "users", 0, "")
		fs.IntVar(&users, "u", 0, "")
		fs.Float64("ratio", 0, "")
		fs.Bool("fast", false, "")
		args := []string{a, b}
		if err := fs.Parse(args); err != nil && Reword(fs, args, err) == nil {
			t.Fatalf("%q: nil for %v", args, err)
		}
	})
}
