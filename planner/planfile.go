package planner

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/payform/payform/schema"
)

// maxPlanFile bounds what ReadFile accepts.
const maxPlanFile = 1 << 30

// WriteFile writes the plan as JSON, mode 0600, atomically.
func WriteFile(path string, p *Plan) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ReadFile reads a plan file, refusing other formats with a clear error.
func ReadFile(path string) (*Plan, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxPlanFile {
		return nil, fmt.Errorf("%s is %d bytes: too large for a plan file", path, fi.Size())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var probe struct {
		FormatVersion *int   `json:"format_version"`
		PlanID        string `json:"plan_id"`
	}
	if err := json.Unmarshal(data, &probe); err != nil || probe.FormatVersion == nil || probe.PlanID == "" {
		return nil, fmt.Errorf("%s is not a payform plan file (make one with `payform plan --out FILE`)", path)
	}
	if *probe.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%s has plan format %d; this payform reads format %d: make a new plan with this version", path, *probe.FormatVersion, FormatVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: invalid plan file: %v", path, err)
	}
	return &p, nil
}

// Variables records the configuration's variables for a plan. Sensitive
// values are kept only as an HMAC keyed with the plan id: enough to tell
// that a value changed, not what it is.
func Variables(cfg *schema.Config, planID string) (map[string]PlanVariable, error) {
	out := make(map[string]PlanVariable, len(cfg.Variables))
	for _, v := range cfg.Variables {
		data, err := ctyjson.Marshal(v.Value, v.Type)
		if err != nil {
			return nil, fmt.Errorf("variable %q: %v", v.Name, err)
		}
		if v.Sensitive {
			out[v.Name] = PlanVariable{Sensitive: true, Digest: keyedDigest(planID, data)}
			continue
		}
		out[v.Name] = PlanVariable{Value: data}
	}
	return out, nil
}

func keyedDigest(key string, data []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(data)
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))
}
