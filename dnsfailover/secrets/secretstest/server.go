// Package secretstest serves the two AWS calls package secrets makes,
// Secrets Manager GetSecretValue and SSM GetParameter, over real HTTP in
// the AWS JSON 1.1 protocol, from an in-memory store. Point the SDK at it
// with AWS_ENDPOINT_URL (and any static AWS_ACCESS_KEY_ID).
package secretstest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Server holds secrets by secret ARN and parameters by name or ARN.
type Server struct {
	*httptest.Server
	mu     sync.Mutex
	values map[string]string
	calls  []string
}

// New starts a server holding values, keyed by SecretId or parameter Name
// exactly as the client sends them. Close it when done.
func New(values map[string]string) *Server {
	s := &Server{values: values}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Calls returns "Target id" for every request served, in order.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	var in struct {
		SecretID       string `json:"SecretId"`
		Name           string `json:"Name"`
		WithDecryption bool   `json:"WithDecryption"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	target := r.Header.Get("X-Amz-Target")
	if r.Header.Get("Authorization") == "" {
		fail(w, http.StatusForbidden, "MissingAuthenticationTokenException", "request is not signed")
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, target+" "+in.SecretID+in.Name)
	s.mu.Unlock()
	switch target {
	case "secretsmanager.GetSecretValue":
		v, ok := s.value(in.SecretID)
		if !ok {
			fail(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		reply(w, map[string]any{"ARN": in.SecretID, "Name": in.SecretID, "SecretString": v})
	case "AmazonSSM.GetParameter":
		v, ok := s.value(in.Name)
		if !ok {
			fail(w, http.StatusBadRequest, "ParameterNotFound", "")
			return
		}
		if !in.WithDecryption {
			v = "AQICAHencrypted"
		}
		reply(w, map[string]any{"Parameter": map[string]any{"Name": in.Name, "Type": "SecureString", "Value": v, "Version": 1}})
	default:
		fail(w, http.StatusBadRequest, "UnknownOperationException", target)
	}
}

func (s *Server) value(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[id]
	return v, ok
}

func reply(w http.ResponseWriter, body any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(body)
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}
