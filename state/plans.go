package state

import (
	"bufio"
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// PlanRecord is what payform records of a plan file it writes: enough to
// tell, when the file is applied, that it is the file payform made. A
// plan file's changes are re-derived at apply, but its plan id, times,
// targets and author cannot be, and its digest can be recomputed by
// whoever edits it; the record, kept beside the state (and, on pg, in a
// table the runners cannot rewrite), is what the file must match.
type PlanRecord struct {
	PlanID    string    `json:"plan_id"`
	Digest    string    `json:"digest"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// The state the plan was made against.
	Lineage    string `json:"lineage"`
	Serial     uint64 `json:"serial"`
	JournalSeq uint64 `json:"journal_seq"`
	// MAC seals the record with the audit key, when one is set.
	MAC string `json:"mac,omitempty"`
}

// PlanRecorder keeps plan records. It is an optional capability: a
// backend without it binds plans by their digest alone.
type PlanRecorder interface {
	RecordPlan(ctx context.Context, r PlanRecord) error
	// PlanRecord returns the record of planID, nil when there is none.
	PlanRecord(ctx context.Context, planID string) (*PlanRecord, error)
}

// seal fills r.MAC with key; unseal checks it.
func (r *PlanRecord) seal(key Key) ([]byte, error) {
	r.MAC = ""
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	if key != nil {
		r.MAC = key.mac([]byte("payform-plan-record:"), body)
		return json.Marshal(r)
	}
	return body, nil
}

func (r *PlanRecord) check(key Key) error {
	if key == nil {
		return nil
	}
	mac := r.MAC
	c := *r
	c.MAC = ""
	body, err := json.Marshal(&c)
	if err != nil {
		return err
	}
	if mac == "" || !hmac.Equal([]byte(mac), []byte(key.mac([]byte("payform-plan-record:"), body))) {
		return fmt.Errorf("the record of plan %s is not sealed with PAYFORM_AUDIT_KEY: it was altered, or written without the key", r.PlanID)
	}
	return nil
}

// EncodePlanRecord returns r's line (newline included), sealed with key:
// for backends other than Local.
func EncodePlanRecord(r PlanRecord, key Key) ([]byte, error) {
	b, err := r.seal(key)
	return append(b, '\n'), err
}

// DecodePlanRecord parses a record's line and, with key, checks its seal.
func DecodePlanRecord(line []byte, key Key) (*PlanRecord, error) {
	var r PlanRecord
	if err := json.Unmarshal(line, &r); err != nil {
		return nil, fmt.Errorf("not a plan record: %v", err)
	}
	if err := r.check(key); err != nil {
		return nil, err
	}
	return &r, nil
}

func (l *Local) plansPath() string { return l.Path + ".plans" }

// RecordPlan appends the record to PATH.plans, durably.
func (l *Local) RecordPlan(_ context.Context, r PlanRecord) error {
	line, err := EncodePlanRecord(r, l.Key)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(l.plansPath(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// PlanRecord finds planID's record in PATH.plans.
func (l *Local) PlanRecord(_ context.Context, planID string) (*PlanRecord, error) {
	f, err := os.Open(l.plansPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var found *PlanRecord
	for n := 1; sc.Scan(); n++ {
		r, err := DecodePlanRecord(sc.Bytes(), l.Key)
		if err != nil {
			return nil, &CorruptError{What: l.plansPath(), Line: n, Reason: err.Error()}
		}
		if r.PlanID == planID {
			if found != nil {
				return nil, &CorruptError{What: l.plansPath(), Line: n, Reason: "plan " + planID + " is recorded twice"}
			}
			found = r
		}
	}
	return found, sc.Err()
}

// RecordPlan records a plan file the command made, under the lock.
func (s *Store) RecordPlan(ctx context.Context, r PlanRecord) error {
	if s.readOnly {
		return ErrReadOnly
	}
	pr, ok := s.backend.(PlanRecorder)
	if !ok {
		return nil
	}
	if err := s.checkLock(); err != nil {
		return err
	}
	return pr.RecordPlan(ctx, r)
}
