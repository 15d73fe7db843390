package schema

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// maxReadFile bounds what file() reads.
const maxReadFile = 256 << 20

// functions returns the functions configurations may call: the go-cty
// standard library (under Terraform's names), try and can, and file.
func functions(readFile func(string) ([]byte, error)) map[string]function.Function {
	return map[string]function.Function{
		"abs":             stdlib.AbsoluteFunc,
		"can":             canFunc,
		"ceil":            stdlib.CeilFunc,
		"chomp":           stdlib.ChompFunc,
		"chunklist":       stdlib.ChunklistFunc,
		"coalesce":        stdlib.CoalesceFunc,
		"coalescelist":    stdlib.CoalesceListFunc,
		"compact":         stdlib.CompactFunc,
		"concat":          stdlib.ConcatFunc,
		"contains":        stdlib.ContainsFunc,
		"csvdecode":       stdlib.CSVDecodeFunc,
		"distinct":        stdlib.DistinctFunc,
		"element":         stdlib.ElementFunc,
		"file":            fileFunc(readFile),
		"flatten":         stdlib.FlattenFunc,
		"floor":           stdlib.FloorFunc,
		"format":          stdlib.FormatFunc,
		"formatdate":      stdlib.FormatDateFunc,
		"formatlist":      stdlib.FormatListFunc,
		"indent":          stdlib.IndentFunc,
		"join":            stdlib.JoinFunc,
		"jsondecode":      stdlib.JSONDecodeFunc,
		"jsonencode":      stdlib.JSONEncodeFunc,
		"keys":            stdlib.KeysFunc,
		"length":          stdlib.LengthFunc,
		"log":             stdlib.LogFunc,
		"lookup":          stdlib.LookupFunc,
		"lower":           stdlib.LowerFunc,
		"max":             stdlib.MaxFunc,
		"merge":           stdlib.MergeFunc,
		"min":             stdlib.MinFunc,
		"parseint":        stdlib.ParseIntFunc,
		"pow":             stdlib.PowFunc,
		"range":           stdlib.RangeFunc,
		"regex":           stdlib.RegexFunc,
		"regexall":        stdlib.RegexAllFunc,
		"regex_replace":   stdlib.RegexReplaceFunc,
		"replace":         stdlib.ReplaceFunc,
		"reverse":         stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc,
		"setproduct":      stdlib.SetProductFunc,
		"setsubtract":     stdlib.SetSubtractFunc,
		"setunion":        stdlib.SetUnionFunc,
		"signum":          stdlib.SignumFunc,
		"slice":           stdlib.SliceFunc,
		"sort":            stdlib.SortFunc,
		"split":           stdlib.SplitFunc,
		"strlen":          stdlib.StrlenFunc,
		"strrev":          stdlib.ReverseFunc,
		"substr":          stdlib.SubstrFunc,
		"timeadd":         stdlib.TimeAddFunc,
		"title":           stdlib.TitleFunc,
		"tobool":          stdlib.MakeToFunc(cty.Bool),
		"tolist":          stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":           stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":        stdlib.MakeToFunc(cty.Number),
		"toset":           stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":        stdlib.MakeToFunc(cty.String),
		"trim":            stdlib.TrimFunc,
		"trimprefix":      stdlib.TrimPrefixFunc,
		"trimspace":       stdlib.TrimSpaceFunc,
		"trimsuffix":      stdlib.TrimSuffixFunc,
		"try":             tryFunc,
		"upper":           stdlib.UpperFunc,
		"values":          stdlib.ValuesFunc,
		"zipmap":          stdlib.ZipmapFunc,
	}
}

// fileFunc is file(path): the contents of a UTF-8 text file, relative to
// the configuration directory.
func fileFunc(readFile func(string) ([]byte, error)) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			data, err := readFile(args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(string(data)), nil
		},
	})
}

// readFile reads a file for file() (and every file the configuration
// names), remembering its bytes for the config digest. It reads only
// files inside the configuration directory, after resolving symlinks
// (os.Root): an absolute path, a path with .. that leaves the directory,
// or a symlink pointing out of it is refused. A configuration that CI
// plans on a pull request could otherwise read the runner's environment
// (/proc/self/environ) or any secret file into a plan.
func (l *loader) readFile(name string) ([]byte, error) {
	if filepath.IsAbs(name) {
		return nil, fmt.Errorf("%s is an absolute path: file() reads files inside the configuration directory (%s) only, by a path relative to it", quote(name), displayDir(l.dir))
	}
	clean := filepath.Clean(name)
	if data, ok := l.reads[clean]; ok {
		return data, nil
	}
	if l.root == nil {
		root, err := os.OpenRoot(l.dir)
		if err != nil {
			return nil, fmt.Errorf("cannot open the configuration directory %s: %v", displayDir(l.dir), unwrapPathError(err))
		}
		l.root = root
	}
	f, err := l.root.Open(clean)
	if err != nil {
		if strings.Contains(err.Error(), "escapes from parent") || strings.Contains(err.Error(), "path escapes") {
			return nil, fmt.Errorf("%s leads outside the configuration directory %s (through .. or a symlink): file() reads files inside it only", quote(name), displayDir(l.dir))
		}
		return nil, fmt.Errorf("cannot read %s (relative to %s): %v", quote(name), displayDir(l.dir), unwrapPathError(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", quote(name), unwrapPathError(err))
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a file", quote(name))
	}
	// A device or a pipe has no size to check, and may never end.
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", quote(name))
	}
	if fi.Size() > maxReadFile {
		return nil, fmt.Errorf("%s is %d bytes; file() reads at most %d", quote(name), fi.Size(), maxReadFile)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxReadFile+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", quote(name), unwrapPathError(err))
	}
	if int64(len(data)) > maxReadFile {
		return nil, fmt.Errorf("%s grew past %d bytes while it was read", quote(name), maxReadFile)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s is not valid UTF-8 text", quote(name))
	}
	l.reads[clean] = data
	return data, nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
