package statetest

import (
	"context"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/state"
)

// testPlanRecords: a PlanRecorder gives back exactly the record of a plan
// file it was given, nothing for a plan it was not, never a second record
// of the same plan in place of the first, and, with an audit key, only a
// record sealed with that key.
func testPlanRecords(e *env) {
	t, ctx := e.t, context.Background()
	b := e.open(auditKey)
	pr, ok := b.(state.PlanRecorder)
	if !ok {
		t.Skipf("%T is not a state.PlanRecorder", b)
	}
	s := e.store(b)
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	lineage := s.State().Lineage
	e.close(s)
	if r, err := pr.PlanRecord(ctx, plan); r != nil || err != nil {
		t.Fatalf("PlanRecord of a plan never recorded = %+v, %v; want nothing", r, err)
	}
	want := state.PlanRecord{PlanID: plan, Digest: "sha256:9f86d081884c7d65", Author: "tester",
		CreatedAt: T0, ExpiresAt: T0.Add(24 * time.Hour), Lineage: lineage, Serial: 1, JournalSeq: 0}
	s = e.store(b)
	if err := s.RecordPlan(ctx, want); err != nil {
		t.Fatal(err)
	}
	e.close(s)

	got, err := e.open(auditKey).(state.PlanRecorder).PlanRecord(ctx, plan)
	if err != nil || got == nil {
		t.Fatalf("PlanRecord = %+v, %v", got, err)
	}
	if got.MAC == "" {
		t.Error("the record is not sealed with the audit key")
	}
	got.MAC = ""
	if diff := cmp.Diff(want, *got); diff != "" {
		t.Errorf("plan record (-recorded +read):\n%s", diff)
	}
	_, err = e.open(state.Key("another-key-0123456789")).(state.PlanRecorder).PlanRecord(ctx, plan)
	e.check("read with another key", err)
	if r, err := e.open(auditKey).(state.PlanRecorder).PlanRecord(ctx, "plan-2"); r != nil || err != nil {
		t.Errorf("PlanRecord of another plan = %+v, %v; want nothing", r, err)
	}

	// The same plan recorded again, with another digest: refused when
	// written or when read, never taken in place of the first.
	second := want
	second.Digest = "sha256:0000"
	s = e.store(e.open(auditKey))
	err = s.RecordPlan(ctx, second)
	e.close(s)
	r, rerr := e.open(auditKey).(state.PlanRecorder).PlanRecord(ctx, plan)
	switch {
	case err == nil && rerr == nil:
		t.Errorf("a plan recorded twice reads as %+v, want a refusal", r)
	case err != nil:
		e.check("recorded twice", err)
		if rerr != nil || r == nil || r.Digest != want.Digest {
			t.Errorf("after the refused second record: %+v, %v; want the first", r, rerr)
		}
	default:
		e.check("recorded twice", rerr)
	}
}
