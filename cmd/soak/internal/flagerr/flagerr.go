package flagerr

import (
	"errors"
	"flag"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/soaklab/soak/engine/scenario"
)

// How package flag words its errors; Reword rewords them.
const (
	undefinedFlag = "flag provided but not defined: -"
	needsArgument = "flag needs an argument: -"
	invalidValue  = "invalid value "
	invalidBool   = "invalid boolean value "
)

// Reword rewords an error of fs.Parse(args) for the person who typed
// args: the flag as they spelled it (--userz, not Go's -userz), its long
// name beside a short one (-u (--users)), what the value should be
// instead of "parse error", and a "did you mean" for an unknown flag.
// An error it does not know comes back as it was.
func Reword(fs *flag.FlagSet, args []string, err error) error {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, undefinedFlag):
		name := strings.TrimPrefix(msg, undefinedFlag)
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		hint := ""
		if s := scenario.Suggest(name, names); s != "" {
			hint = fmt.Sprintf(" (did you mean \"--%s\"?)", s)
		}
		return fmt.Errorf("flag provided but not defined: %s%s", typed(args, name, ""), hint)
	case strings.HasPrefix(msg, needsArgument):
		name := strings.TrimPrefix(msg, needsArgument)
		return fmt.Errorf("flag needs an argument: %s%s", typed(args, name, ""), alias(fs, name))
	case strings.HasPrefix(msg, invalidValue), strings.HasPrefix(msg, invalidBool):
		rest := strings.TrimPrefix(strings.TrimPrefix(msg, invalidValue), invalidBool)
		q, err2 := strconv.QuotedPrefix(rest)
		if err2 != nil {
			return err
		}
		value, _ := strconv.Unquote(q)
		rest = strings.TrimPrefix(strings.TrimPrefix(rest[len(q):], " for flag -"), " for -")
		name, why, ok := strings.Cut(rest, ": ")
		if !ok {
			return err
		}
		if errors.Is(err, strconv.ErrSyntax) || why == "parse error" || why == "value out of range" {
			why = wantOf(fs.Lookup(name), why)
		}
		return fmt.Errorf("invalid value %q for %s%s: %s", value, typed(args, name, value), alias(fs, name), why)
	}
	return err
}

// typed returns flag name as args spell it ("--userz", "-u"): the
// occurrence that carries value when one does, else the first.
func typed(args []string, name, value string) string {
	spelled := ""
	for i, a := range args {
		if a == "--" {
			break
		}
		dashes := len(a) - len(strings.TrimLeft(a, "-"))
		if dashes == 0 || dashes > 2 {
			continue
		}
		n, v, hasValue := strings.Cut(a[dashes:], "=")
		if n != name {
			continue
		}
		if !hasValue && i+1 < len(args) {
			v = args[i+1]
		}
		if spelled == "" || v == value {
			spelled = a[:dashes] + n
		}
		if v == value {
			break
		}
	}
	if spelled == "" {
		return "--" + name
	}
	return spelled
}

// alias returns " (--users)" for a short flag that is another name of a
// longer one (the same variable), else "".
func alias(fs *flag.FlagSet, name string) string {
	f := fs.Lookup(name)
	if f == nil {
		return ""
	}
	long := name
	fs.VisitAll(func(g *flag.Flag) {
		if sameVariable(g.Value, f.Value) && len(g.Name) > len(long) {
			long = g.Name
		}
	})
	if long == name {
		return ""
	}
	return " (--" + long + ")"
}

// sameVariable reports whether two flags set the same variable: both
// values are pointers, to the same place (comparing the interfaces could
// panic on a value of an incomparable type).
func sameVariable(a, b flag.Value) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	return va.Kind() == reflect.Pointer && vb.Kind() == reflect.Pointer && va.Type() == vb.Type() && va.Pointer() == vb.Pointer()
}

// wantOf says what a number flag takes, instead of package flag's
// "parse error".
func wantOf(f *flag.Flag, why string) string {
	if f == nil {
		return why
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return why
	}
	switch g.Get().(type) {
	case int, int64, uint, uint64:
		if why == "value out of range" {
			return "out of range for a whole number"
		}
		return "not a whole number"
	case float64:
		if why == "value out of range" {
			return "out of range"
		}
		return "not a number"
	case bool:
		return "not true or false"
	}
	return why
}
