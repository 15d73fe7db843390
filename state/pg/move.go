package pg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5"

	"github.com/payform/payform/state"
)

// Moving state between backends copies the snapshot bytes and every
// journal line verbatim, so the hash chain, the snapshot's checksum and
// its journal offset stay valid. Lines are rebuilt with
// state.EncodeEntry, and an entry whose rebuilt hash differs from the
// original (a field this payform does not know) is refused rather than
// altered. The destination must have no state. The caller holds the
// locks it needs: the source's, so that it does not change meanwhile (a
// pg destination is written under its own lock, in one transaction).

// ImportFrom copies src's state (a *state.Local or another *Backend) into
// this workspace, which must have none, in one transaction.
func (b *Backend) ImportFrom(ctx context.Context, src state.Backend) error {
	if src == state.Backend(b) {
		return fmt.Errorf("%s: cannot import a workspace into itself", b.Describe())
	}
	data, err := rawSnapshot(ctx, src)
	if err != nil {
		return err
	}
	st, err := state.DecodeSnapshot(src.Describe(), data)
	if err != nil {
		return err
	}
	err = b.writeTx(ctx, func(tx pgx.Tx) error {
		var lineage string
		err := tx.QueryRow(ctx, b.q(`SELECT lineage FROM {s}.workspaces WHERE name = $1`), b.workspace).Scan(&lineage)
		if err == nil {
			return fmt.Errorf("refused: the workspace already has state (lineage %s); import only into an empty workspace", lineage)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, b.q(`INSERT INTO {s}.workspaces (name, lineage, serial, snapshot) VALUES ($1, $2, $3, $4)`),
			b.workspace, st.Lineage, int64(st.Serial), data); err != nil {
			return err
		}
		var batch []row
		var end int64
		err = src.Entries(func(e *state.Entry) error {
			line, err := reencode(e)
			if err != nil {
				return err
			}
			end += int64(len(line))
			batch = append(batch, row{seq: e.Seq, prev: e.Prev, hash: e.Hash, line: line, end: end, at: e.At})
			if len(batch) < pageRows {
				return nil
			}
			err = b.insertRows(ctx, tx, batch)
			batch = batch[:0]
			return err
		})
		if err == nil && len(batch) > 0 {
			err = b.insertRows(ctx, tx, batch)
		}
		if err != nil {
			return err
		}
		if err := b.onChain(ctx, tx, st); err != nil {
			return &state.CorruptError{What: src.Describe(), Reason: err.Error()}
		}
		return nil
	})
	return b.fail("importing from "+src.Describe(), err)
}

// rawSnapshot returns src's snapshot bytes as stored.
func rawSnapshot(ctx context.Context, src state.Backend) ([]byte, error) {
	switch src := src.(type) {
	case *state.Local:
		data, err := os.ReadFile(src.Path)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s has no state", src.Describe())
		}
		return data, err
	case *Backend:
		return src.Pull(ctx)
	}
	return nil, fmt.Errorf("cannot import from %s: only local and pg backends can be copied verbatim", src.Describe())
}

// reencode rebuilds e's line, which must come out as the original: same
// hash, same bytes.
func reencode(e *state.Entry) ([]byte, error) {
	want := e.Hash
	line, err := state.EncodeEntry(e)
	if err != nil {
		return nil, err
	}
	if e.Hash != want {
		return nil, fmt.Errorf("journal entry %d cannot be copied byte for byte: it has content this payform version does not know; use the payform version that wrote it", e.Seq)
	}
	return line, nil
}

// ExportTo copies this workspace's state to dst, which must have none:
// first the snapshot, then the journal lines. An export cut short leaves
// a snapshot whose journal is short, which Local refuses to load: delete
// it and export again.
func (b *Backend) ExportTo(ctx context.Context, dst *state.Local) error {
	if st, _, err := dst.Load(); st != nil || err != nil {
		reason := "it already has state"
		if err != nil {
			reason = err.Error()
		}
		return fmt.Errorf("refusing to export %s to %s: %s; export only to a new path", b.Describe(), dst.Describe(), reason)
	}
	err := b.main.readTx(ctx, func(tx pgx.Tx) error {
		var data []byte
		err := tx.QueryRow(ctx, b.q(`SELECT snapshot FROM {s}.workspaces WHERE name = $1`), b.workspace).Scan(&data)
		if errors.Is(err, pgx.ErrNoRows) {
			return errors.New("there is no state to export")
		}
		if err != nil {
			return err
		}
		st, err := state.DecodeSnapshot(b.Describe(), data)
		if err != nil {
			return err
		}
		// Local writes what it encodes: make sure that is these bytes.
		if again, err := state.EncodeSnapshot(st); err != nil || !bytes.Equal(again, data) {
			return errors.New("the snapshot cannot be copied byte for byte: it has content this payform version does not know; use the payform version that wrote it")
		}
		if err := dst.WriteSnapshot(st); err != nil {
			return err
		}
		var j state.Journal
		headOK := st.JournalSeq == 0
		fetch := func(from uint64) ([]row, error) { return b.page(ctx, tx, from, pageRows) }
		err = b.walk(&chain{b: b, hash: state.GenesisHash(st.Lineage)}, fetch, func(e *state.Entry, r row) error {
			if j == nil {
				// A fresh head, so that the entries keep their seq and prev.
				opened, err := dst.OpenJournal(state.New(st.Lineage, st.PayformVersion))
				if err != nil {
					return err
				}
				j = opened
			}
			want := e.Hash
			if err := j.Write(e); err != nil {
				return err
			}
			if _, _, end := j.Head(); e.Hash != want || end != r.end {
				return fmt.Errorf("journal entry %d cannot be copied byte for byte: it has content this payform version does not know; use the payform version that wrote it", e.Seq)
			}
			headOK = headOK || (e.Seq == st.JournalSeq && e.Hash == st.JournalHash)
			return nil
		})
		if j != nil {
			if cerr := j.Close(); err == nil {
				err = cerr
			}
		}
		if err == nil && !headOK {
			err = b.corrupt(st.JournalSeq, "it is missing, but the snapshot includes the journal up to it")
		}
		return err
	})
	return b.fail("exporting to "+dst.Describe(), err)
}
