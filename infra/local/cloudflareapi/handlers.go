package cloudflareapi

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// decode reads a JSON request body into v.
func decode(r *http.Request, v any) *apiError {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err != nil || json.Unmarshal(body, v) != nil {
		return errBadBody
	}
	return nil
}

// others returns every record of work except the one with id skip.
func others(work map[string]Record, skip string) []Record {
	var out []Record
	for id, r := range work {
		if id != skip {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) get(w http.ResponseWriter, id string) {
	s.mu.Lock()
	rec, ok := s.records[id]
	s.mu.Unlock()
	if !ok {
		writeError(w, errNoRecord)
		return
	}
	writeResult(w, s.render(rec), nil)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var in recordInput
	if err := decode(r, &in); err != nil {
		writeError(w, err)
		return
	}
	res, err := s.mutate(func(work map[string]Record, now time.Time) (any, *apiError) {
		return s.post(work, in, now)
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeResult(w, s.render(res.(Record)), nil)
}

// update serves PATCH (change the fields sent) and PUT (replace the record).
func (s *Server) update(w http.ResponseWriter, r *http.Request, id string) {
	var in recordInput
	if err := decode(r, &in); err != nil {
		writeError(w, err)
		return
	}
	in.ID = &id
	res, err := s.mutate(func(work map[string]Record, now time.Time) (any, *apiError) {
		return s.change(work, in, r.Method == http.MethodPut, now)
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeResult(w, s.render(res.(Record)), nil)
}

func (s *Server) delete(w http.ResponseWriter, id string) {
	_, err := s.mutate(func(work map[string]Record, _ time.Time) (any, *apiError) {
		_, err := s.remove(work, id)
		return nil, err
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeResult(w, map[string]string{"id": id}, nil)
}

// post validates and adds a new record to work.
func (s *Server) post(work map[string]Record, in recordInput, now time.Time) (Record, *apiError) {
	rec, err := in.full()
	if err != nil {
		return Record{}, err
	}
	if err := validate(&rec, s.zoneName, others(work, "")); err != nil {
		return Record{}, err
	}
	rec.ID, rec.CreatedOn, rec.ModifiedOn = newID(), now, now
	work[rec.ID] = rec
	return rec, nil
}

// change applies a patch (replace=false) or put (replace=true) to work.
func (s *Server) change(work map[string]Record, in recordInput, replace bool, now time.Time) (Record, *apiError) {
	if in.ID == nil || *in.ID == "" {
		return Record{}, validation("id is required.")
	}
	cur, ok := work[*in.ID]
	if !ok {
		return Record{}, errNoRecord
	}
	var rec Record
	var err *apiError
	if replace {
		rec, err = in.full()
	} else {
		rec, err = in.patch(cur)
	}
	if err != nil {
		return Record{}, err
	}
	if err := validate(&rec, s.zoneName, others(work, cur.ID)); err != nil {
		return Record{}, err
	}
	rec.ID, rec.CreatedOn, rec.ModifiedOn = cur.ID, cur.CreatedOn, now
	work[rec.ID] = rec
	return rec, nil
}

func (s *Server) remove(work map[string]Record, id string) (Record, *apiError) {
	rec, ok := work[id]
	if !ok {
		return Record{}, errNoRecord
	}
	delete(work, id)
	return rec, nil
}
