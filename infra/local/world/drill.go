package world

import (
	"context"
	"fmt"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

// DrillRecord is the world's drill record: a drill (dnsfailover/drill)
// switches it to the standby and back, never Record.
const DrillRecord = "_drill." + Record

// addDrillRecord creates the drill record, pointing at the primary, and its
// state TXT, as infra/cloudflare's setup does for a real zone.
func (w *World) addDrillRecord() {
	w.CF.Add(cloudflareapi.Record{Name: DrillRecord, Type: "CNAME", Content: PrimaryTarget, TTL: 60})
	initial := state.State{Active: state.Primary, Gen: 0, By: "setup", Reason: "drill record"}
	w.CF.Add(cloudflareapi.Record{Name: state.RecordName(DrillRecord), Type: "TXT", Content: cloudflare.QuoteTXT(initial.Format()), TTL: 60})
}

// putParityKeys stores every Options.ParityKeys object on both origins
// with the same body, so the world starts in parity; a test makes the
// standby lack one with w.Standby.Delete.
func (w *World) putParityKeys(ctx context.Context) error {
	for _, key := range w.opts.ParityKeys {
		body := []byte("parity sample " + key + "\n")
		for _, o := range []interface {
			Put(context.Context, string, []byte) error
		}{w.Primary, w.Standby} {
			if err := o.Put(ctx, key, body); err != nil {
				return fmt.Errorf("put parity key: %w", err)
			}
		}
	}
	return nil
}
