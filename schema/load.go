package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/payform/payform/providers"
)

// Options says where the configuration and its inputs come from.
type Options struct {
	// Dir is the configuration directory; every *.hcl file in it is read.
	Dir string
	// File, when set, is the only configuration file read; file() paths
	// are then relative to its directory.
	File string
	// Vars are --var NAME=VALUE arguments, in order.
	Vars []string
	// VarFiles are --var-file paths, in order.
	VarFiles []string
	// Env is the process environment (os.Environ()) for PAYFORM_VAR_* and
	// provider credentials.
	Env []string
	// Gateways are the gateways provider blocks may name.
	Gateways []providers.Gateway
}

// rootSchema lists the top-level blocks.
var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "payform"},
		{Type: "provider", LabelNames: []string{"gateway"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "payout", LabelNames: []string{"name"}},
		{Type: "deposit_address_pool", LabelNames: []string{"name"}},
		{Type: "invoice_batch", LabelNames: []string{"name"}},
		{Type: "output", LabelNames: []string{"name"}},
		{Type: "policy", LabelNames: []string{"name"}},
	},
}

// loader carries one Load through its phases.
type loader struct {
	opts   Options
	dir    string
	parser *hclparse.Parser
	env    map[string]string
	cfg    *Config
	diags  hcl.Diagnostics

	vars   map[string]cty.Value // marked sensitive where declared so
	locals map[string]cty.Value
	funcs  map[string]function.Function
	reads  map[string][]byte // files read through file(), by clean path relative to dir
	root   *os.Root          // dir, opened on the first file() (closed at the end of Load)
	// failedProviders holds the gateway labels of provider blocks that
	// were refused, so that resources naming them are not refused again.
	failedProviders map[string]bool
	// sensitiveVars is set when a variable block says sensitive: variable
	// files may then hold secrets.
	sensitiveVars bool
	// hclOnly turns off reading CSV for_each rows without HCL
	// (each_csv.go), for tests that compare the two; csvBlocks counts the
	// blocks whose rows were read so.
	hclOnly   bool
	csvBlocks int
	// refused are the instances refused for another reason whose merchant
	// key is known: checkDuplicateKeys checks them too, so that a
	// duplicate key is reported with the other errors, not after they are
	// fixed.
	refused []*Resource
}

// Load reads, decodes and validates a configuration. It reports every
// problem it finds, not just the first; the returned Config (never nil)
// carries the parsed files even when there are errors, for rendering.
func Load(opts Options) (*Config, hcl.Diagnostics) {
	return newLoader(opts).load()
}

func newLoader(opts Options) *loader {
	return &loader{opts: opts, parser: hclparse.NewParser(), env: envMap(opts.Env), reads: map[string][]byte{}}
}

func (l *loader) load() (*Config, hcl.Diagnostics) {
	opts := l.opts
	l.dir = opts.Dir
	if opts.File != "" {
		l.dir = filepath.Dir(opts.File)
	}
	l.cfg = &Config{Dir: l.dir, Backend: Backend{Type: "local"}}
	l.funcs = functions(l.readFile)
	defer func() {
		if l.root != nil {
			l.root.Close()
		}
		// Where variables are sensitive, variable files may hold secrets:
		// a diagnostic names their file and line, but shows no snippet.
		l.cfg.Files = l.parser.Files()
		if l.sensitiveVars {
			l.cfg.Files = maps.Clone(l.cfg.Files)
			for _, p := range opts.VarFiles {
				delete(l.cfg.Files, p)
			}
		}
	}()

	files, paths := l.parseConfigFiles()
	if l.diags.HasErrors() {
		return l.cfg, l.diags
	}
	content, diags := hcl.MergeFiles(files).Content(rootSchema)
	l.diags = append(l.diags, diags...)

	byType := map[string][]*hcl.Block{}
	for _, b := range content.Blocks {
		byType[b.Type] = append(byType[b.Type], b)
	}
	l.decodeVariables(byType["variable"])
	l.decodeLocals(byType["locals"])
	l.decodePayform(byType["payform"])
	l.decodeProviders(byType["provider"])
	l.decodeResources(byType)
	l.checkDuplicateKeys()
	l.decodePolicies(byType["policy"])
	l.decodeOutputs(byType["output"])
	l.cfg.Digest, l.cfg.FileDigests = l.digest(paths)
	sanitizeDiags(l.diags)
	for _, d := range l.diags {
		if d.Severity == hcl.DiagWarning {
			l.cfg.Warnings = append(l.cfg.Warnings, d)
		}
	}
	return l.cfg, l.diags
}

// LoadBackend reads only the payform block's backend settings, which are
// literals, so that state commands can find the state without settling
// variables.
func LoadBackend(opts Options) (Backend, map[string]*hcl.File, hcl.Diagnostics) {
	l := &loader{opts: opts, parser: hclparse.NewParser(), env: envMap(opts.Env), reads: map[string][]byte{}}
	l.dir = opts.Dir
	if opts.File != "" {
		l.dir = filepath.Dir(opts.File)
	}
	l.cfg = &Config{Dir: l.dir, Backend: Backend{Type: "local"}}
	files, _ := l.parseConfigFiles()
	if l.diags.HasErrors() {
		return l.cfg.Backend, l.parser.Files(), l.diags
	}
	content, _, diags := hcl.MergeFiles(files).PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "payform"}}})
	l.diags = append(l.diags, diags...)
	l.decodePayform(content.Blocks)
	return l.cfg.Backend, l.parser.Files(), l.diags
}

// parseConfigFiles parses the configuration files, sorted by name.
func (l *loader) parseConfigFiles() ([]*hcl.File, []string) {
	var paths []string
	if l.opts.File != "" {
		paths = []string{l.opts.File}
	} else {
		matches, err := filepath.Glob(filepath.Join(l.dir, "*.hcl"))
		if err != nil {
			l.errorf(nil, "Cannot list configuration files", "%s", err)
			return nil, nil
		}
		paths = matches
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		l.errorf(nil, "No configuration files",
			"payform reads every *.hcl file in %s and found none. Run payform in the directory holding your configuration, or use --chdir DIR or --config FILE.", displayDir(l.dir))
		return nil, nil
	}
	var files []*hcl.File
	for _, p := range paths {
		src, err := ReadConfigFile(p)
		var big *tooLarge
		switch {
		case errors.As(err, &big):
			l.errorf(nil, "Configuration file too large", "%s is %d bytes; configuration files are limited to %d. Put bulk data in a CSV or JSON file and read it with file().", p, big.size, maxConfigFile)
			continue
		case errors.Is(err, errOutside):
			l.errorf(nil, "Configuration file outside the directory", "%s is a symlink leading outside its directory (%s); payform reads configuration files inside it only (a pull request could otherwise point one at the runner's environment or a secret file). Copy the file in instead.", p, displayDir(filepath.Dir(p)))
			continue
		case err != nil:
			l.errorf(nil, "Cannot read configuration file", "%s: %v.", p, unwrapPathError(err))
			continue
		}
		if d := checkNesting(p, src); d != nil {
			l.parser.AddFile(p, &hcl.File{Bytes: src}) // for the snippet
			l.diags = append(l.diags, d)
			continue
		}
		f, diags := l.parser.ParseHCL(src, p)
		l.diags = append(l.diags, diags...)
		if f != nil {
			files = append(files, f)
		}
	}
	return files, paths
}

// maxConfigFile bounds one configuration file.
const maxConfigFile = 64 << 20

// digest hashes the configuration files and every file read through
// file(), by path relative to the configuration directory.
func (l *loader) digest(configPaths []string) (string, map[string]string) {
	type part struct {
		name string
		data []byte
	}
	var parts []part
	for _, p := range configPaths {
		if f := l.parser.Files()[p]; f != nil {
			parts = append(parts, part{"config:" + l.rel(p), f.Bytes})
		}
	}
	for p, data := range l.reads {
		parts = append(parts, part{"file:" + filepath.ToSlash(p), data})
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].name < parts[j].name })
	// Each file is hashed once; the digest of the whole is over the
	// files' names and digests.
	h := sha256.New()
	files := make(map[string]string, len(parts))
	for _, p := range parts {
		sum := sha256.Sum256(p.data)
		_, name, _ := strings.Cut(p.name, ":")
		files[name] = "sha256:" + hex.EncodeToString(sum[:])
		fmt.Fprintf(h, "%s\x00%d\x00%x\n", p.name, len(p.data), sum)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), files
}

func (l *loader) rel(p string) string {
	if r, err := filepath.Rel(l.dir, p); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(p)
}

func (l *loader) errorf(subject *hcl.Range, summary, format string, args ...any) {
	l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: subject})
}

func (l *loader) warnf(subject *hcl.Range, summary, format string, args ...any) {
	l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: subject})
}

func envMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

func displayDir(dir string) string {
	if dir == "" || dir == "." {
		return "the current directory"
	}
	return dir
}

// evalContext returns the context for expressions outside resources.
func (l *loader) evalContext() *hcl.EvalContext {
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"var":   cty.ObjectVal(l.vars),
			"local": cty.ObjectVal(l.locals),
		},
		Functions: l.funcs,
	}
}

// SkippedBackends names the configuration files beside opts.File that
// declare a backend (in their payform block) which --config FILE leaves
// out: a run that reads only FILE uses the local state, not theirs. Empty
// without opts.File, or when FILE declares a backend itself.
func SkippedBackends(opts Options) []string {
	if opts.File == "" {
		return nil
	}
	has := func(p string) bool {
		src, err := ReadConfigFile(p)
		if err != nil {
			return false
		}
		f, diags := hclsyntax.ParseConfig(src, p, hcl.InitialPos)
		if diags.HasErrors() {
			return false
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			return false
		}
		for _, b := range body.Blocks {
			if b.Type != "payform" {
				continue
			}
			for _, inner := range b.Body.Blocks {
				if inner.Type == "backend" {
					return true
				}
			}
		}
		return false
	}
	if has(opts.File) {
		return nil
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(opts.File), "*.hcl"))
	var out []string
	self, _ := filepath.Abs(opts.File)
	for _, m := range matches {
		if abs, _ := filepath.Abs(m); abs == self {
			continue
		}
		if has(m) {
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

// errOutside is a configuration file that is a symlink out of its
// directory.
var errOutside = errors.New("leads outside the configuration directory")

type tooLarge struct{ size int64 }

func (e *tooLarge) Error() string { return fmt.Sprintf("%d bytes, over %d", e.size, maxConfigFile) }

// ReadConfigFile reads a configuration file (*.hcl) through its directory
// (os.Root), so that a symlink leading out of the directory is refused
// (errOutside) rather than followed: a pull request that adds x.hcl ->
// /proc/self/environ would otherwise put the CI runner's environment into
// the plan's diagnostics. It refuses files over maxConfigFile and
// anything but a regular file. payform fmt reads (and writes) through it
// too.
func ReadConfigFile(path string) ([]byte, error) {
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := root.Open(filepath.Base(path))
	if err != nil {
		if strings.Contains(err.Error(), "escapes from parent") || strings.Contains(err.Error(), "path escapes") {
			return nil, fmt.Errorf("%s: %w", path, errOutside)
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() > maxConfigFile {
		return nil, &tooLarge{fi.Size()}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > maxConfigFile {
		return nil, &tooLarge{int64(len(data))}
	}
	return data, nil
}
