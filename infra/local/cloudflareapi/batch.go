package cloudflareapi

import (
	"net/http"
	"time"
)

type batchRequest struct {
	Deletes []struct {
		ID string `json:"id"`
	} `json:"deletes"`
	Patches []recordInput `json:"patches"`
	Puts    []recordInput `json:"puts"`
	Posts   []recordInput `json:"posts"`
}

type batchResult struct {
	Deletes []recordJSON `json:"deletes"`
	Patches []recordJSON `json:"patches"`
	Puts    []recordJSON `json:"puts"`
	Posts   []recordJSON `json:"posts"`
}

// batch runs deletes, then patches, then puts, then posts, each list in the
// order given, against one working copy; the first error answers 400 and
// discards the copy, as Cloudflare runs a batch in one database transaction.
func (s *Server) batch(w http.ResponseWriter, r *http.Request) {
	var req batchRequest
	if err := decode(r, &req); err != nil {
		writeError(w, err)
		return
	}
	res, err := s.mutate(func(work map[string]Record, now time.Time) (any, *apiError) {
		out := batchResult{Deletes: []recordJSON{}, Patches: []recordJSON{}, Puts: []recordJSON{}, Posts: []recordJSON{}}
		for _, d := range req.Deletes {
			rec, err := s.remove(work, d.ID)
			if err != nil {
				return nil, err
			}
			out.Deletes = append(out.Deletes, s.render(rec))
		}
		for _, p := range req.Patches {
			rec, err := s.change(work, p, false, now)
			if err != nil {
				return nil, err
			}
			out.Patches = append(out.Patches, s.render(rec))
		}
		for _, p := range req.Puts {
			rec, err := s.change(work, p, true, now)
			if err != nil {
				return nil, err
			}
			out.Puts = append(out.Puts, s.render(rec))
		}
		for _, p := range req.Posts {
			rec, err := s.post(work, p, now)
			if err != nil {
				return nil, err
			}
			out.Posts = append(out.Posts, s.render(rec))
		}
		return out, nil
	})
	if err != nil {
		e := *err
		e.status = http.StatusBadRequest // a batch answers every failure with 400
		writeError(w, &e)
		return
	}
	writeResult(w, res, nil)
}
