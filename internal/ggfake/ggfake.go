// Package ggfake is a FAKE Greengrass v2 service for tests: an httptest
// server implementing the handful of REST operations slm uses
// (CreateComponentVersion, DescribeComponent, CreateDeployment,
// ListDeployments, GetDeployment), because moto has no Greengrass v2. It is
// driven by the real aws-sdk-go-v2 client (AWS_ENDPOINT_URL_GREENGRASSV2
// points the client at it) and checks every request body as the service
// would: recipes against the Greengrass recipe schema, deployment requests
// against the SDK's CreateDeploymentInput and the CloudFormation
// AWS::GreengrassV2::Deployment schema (backends/greengrass/ggcheck, with
// the schemas in testdata/greengrass). A body that fails is answered 400
// and recorded in Errors, so a test fails.
//
// Component versions become DEPLOYABLE on the second DescribeComponent,
// so callers must wait as they must on the real service.
//
// It also answers AWS IoT's DescribeJob for the IoT job behind each
// deployment (AWS_ENDPOINT_URL_IOT points the IoT client at it), as the
// real job of a thing-group deployment reports it: continuous, so
// IN_PROGRESS while it lives, with per-device execution counts of a
// one-device group. The first DescribeJob finds the device in progress;
// later ones find the outcome SetJobOutcome chose for the target
// (succeeded by default), and an aborted job CANCELED, as AWS IoT's abort
// criteria leave it.
package ggfake

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slm-project/slm/backends/greengrass/ggcheck"
)

// Server is the fake service.
type Server struct {
	*httptest.Server
	region, account string
	check           *ggcheck.Validator

	mu          sync.Mutex
	components  map[string]*component // by ARN
	deployments []*Deployment
	// Errors are the requests the fake refused as malformed.
	Errors []string
	// failures are answers to give instead of serving, next first (see
	// FailNext).
	failures []failure
	// Requests counts the requests served or failed, by "METHOD path".
	Requests map[string]int
	// outcomes are the job outcomes of deployments to come, by target ARN;
	// denied is a target whose deployments are refused (DenyDeployments).
	outcomes map[string]string
	denied   string
}

// Job outcomes for SetJobOutcome.
const (
	// JobSucceeded: the group's device ran the deployment.
	JobSucceeded = "SUCCEEDED"
	// JobFailed: the device failed it and the job's abort criteria
	// cancelled the job.
	JobFailed = "FAILED"
	// JobInProgress: the device never finishes.
	JobInProgress = "IN_PROGRESS"
)

// SetJobOutcome sets how the IoT jobs of deployments created from now on
// to the thing group target (an ARN) end.
func (s *Server) SetJobOutcome(target, outcome string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outcomes[target] = outcome
}

// DenyDeployments makes CreateDeployment to the thing group target (an
// ARN) fail with AccessDeniedException, as a missing permission does; ""
// allows every target again.
func (s *Server) DenyDeployments(target string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied = target
}

type failure struct {
	status int
	kind   string
}

// FailNext makes the next request fail with status and error type kind
// (e.g. 503 "ThrottlingException"), as the service does under load.
func (s *Server) FailNext(status int, kind string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{status, kind})
}

type component struct {
	arn, name, version string
	recipe             []byte
	describes          int
}

// Deployment is a deployment the fake holds.
type Deployment struct {
	ID, Name, Target string
	Components       map[string]map[string]any
	Created          time.Time
	Status           string
	// Job is the outcome of its IoT job (SetJobOutcome), JobDescribes
	// how often DescribeJob read it.
	Job          string
	JobDescribes int
}

// New starts a fake for region and account and stops it when the test ends.
func New(t testing.TB, region, account string) *Server {
	t.Helper()
	dir, err := testdataDir()
	if err != nil {
		t.Fatal(err)
	}
	v, err := ggcheck.New(filepath.Join(dir, "recipe_schema.json"), filepath.Join(dir, "aws-greengrassv2-deployment.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{region: region, account: account, check: v, components: map[string]*component{}, Requests: map[string]int{}, outcomes: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// testdataDir finds testdata/greengrass above the working directory.
func testdataDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "testdata", "greengrass")
		if _, err := os.Stat(filepath.Join(p, "recipe_schema.json")); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testdata/greengrass not found above the working directory")
		}
		dir = parent
	}
}

// Deployments returns the deployments created, oldest first.
func (s *Server) Deployments() []Deployment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Deployment, len(s.deployments))
	for i, d := range s.deployments {
		out[i] = *d
	}
	return out
}

// ComponentVersions returns "name version" of every component version.
func (s *Server) ComponentVersions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.components {
		out = append(out, c.name+" "+c.version)
	}
	sort.Strings(out)
	return out
}

func (s *Server) fail(w http.ResponseWriter, status int, kind, msg string) {
	if status == http.StatusBadRequest {
		s.Errors = append(s.Errors, msg)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", kind)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		s.fail(w, http.StatusForbidden, "AccessDeniedException", "request not signed")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	path := r.URL.EscapedPath()
	s.Requests[r.Method+" "+path]++
	if len(s.failures) > 0 {
		f := s.failures[0]
		s.failures = s.failures[1:]
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Errortype", f.kind)
		w.WriteHeader(f.status)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": "injected failure"})
		return
	}
	switch {
	case r.Method == http.MethodPost && path == "/greengrass/v2/createComponentVersion":
		s.createComponentVersion(w, body)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/greengrass/v2/components/") && strings.HasSuffix(path, "/metadata"):
		arn, err := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(path, "/greengrass/v2/components/"), "/metadata"))
		if err != nil {
			s.fail(w, http.StatusBadRequest, "ValidationException", err.Error())
			return
		}
		s.describeComponent(w, arn)
	case r.Method == http.MethodPost && path == "/greengrass/v2/deployments":
		s.createDeployment(w, body)
	case r.Method == http.MethodGet && path == "/greengrass/v2/deployments":
		s.listDeployments(w, r.URL.Query())
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/jobs/"):
		s.describeJob(w, strings.TrimPrefix(path, "/jobs/"))
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/greengrass/v2/deployments/"):
		s.getDeployment(w, strings.TrimPrefix(path, "/greengrass/v2/deployments/"))
	default:
		s.fail(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("the fake does not implement %s %s", r.Method, path))
	}
}

func (s *Server) createComponentVersion(w http.ResponseWriter, body []byte) {
	var in struct {
		InlineRecipe []byte            `json:"inlineRecipe"`
		Tags         map[string]string `json:"tags"`
		ClientToken  string            `json:"clientToken"`
	}
	if err := json.Unmarshal(body, &in); err != nil || len(in.InlineRecipe) == 0 {
		s.fail(w, http.StatusBadRequest, "ValidationException", fmt.Sprintf("CreateComponentVersion: no inlineRecipe (%v)", err))
		return
	}
	if err := s.check.ValidateRecipe(in.InlineRecipe); err != nil {
		s.fail(w, http.StatusBadRequest, "ValidationException", "CreateComponentVersion: invalid recipe: "+err.Error())
		return
	}
	var rec struct{ ComponentName, ComponentVersion string }
	if err := json.Unmarshal(in.InlineRecipe, &rec); err != nil {
		s.fail(w, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	arn := fmt.Sprintf("arn:aws:greengrass:%s:%s:components:%s:versions:%s", s.region, s.account, rec.ComponentName, rec.ComponentVersion)
	if _, dup := s.components[arn]; dup {
		s.fail(w, http.StatusConflict, "ConflictException", "component version "+arn+" already exists")
		return
	}
	s.components[arn] = &component{arn: arn, name: rec.ComponentName, version: rec.ComponentVersion, recipe: in.InlineRecipe}
	reply(w, map[string]any{"arn": arn, "componentName": rec.ComponentName, "componentVersion": rec.ComponentVersion,
		"creationTimestamp": time.Now().Unix(), "status": map[string]any{"componentState": "REQUESTED", "message": "NONE"}})
}

func (s *Server) describeComponent(w http.ResponseWriter, arn string) {
	c, ok := s.components[arn]
	if !ok {
		s.fail(w, http.StatusNotFound, "ResourceNotFoundException", "component version "+arn+" not found")
		return
	}
	c.describes++
	state := "INITIATED"
	if c.describes > 1 {
		state = "DEPLOYABLE"
	}
	reply(w, map[string]any{"arn": arn, "componentName": c.name, "componentVersion": c.version,
		"creationTimestamp": time.Now().Unix(), "publisher": "slm", "status": map[string]any{"componentState": state, "message": "NONE"}})
}

func (s *Server) createDeployment(w http.ResponseWriter, body []byte) {
	if err := s.check.ValidateDeployment(body); err != nil {
		s.fail(w, http.StatusBadRequest, "ValidationException", "CreateDeployment: "+err.Error())
		return
	}
	var in struct {
		TargetArn      string                    `json:"targetArn"`
		DeploymentName string                    `json:"deploymentName"`
		Components     map[string]map[string]any `json:"components"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		s.fail(w, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	if s.denied != "" && in.TargetArn == s.denied {
		s.fail(w, http.StatusForbidden, "AccessDeniedException", "not authorized to deploy to "+in.TargetArn)
		return
	}
	for name, spec := range in.Components {
		if strings.HasPrefix(name, "aws.greengrass.") {
			continue // AWS-provided components
		}
		arn := fmt.Sprintf("arn:aws:greengrass:%s:%s:components:%s:versions:%v", s.region, s.account, name, spec["componentVersion"])
		c, ok := s.components[arn]
		if !ok || c.describes < 2 {
			s.fail(w, http.StatusBadRequest, "ValidationException", "CreateDeployment: component "+arn+" does not exist or is not deployable yet")
			return
		}
	}
	for _, d := range s.deployments {
		if d.Target == in.TargetArn && d.Status == "ACTIVE" {
			d.Status = "COMPLETED" // a later deployment supersedes it
		}
	}
	id := fmt.Sprintf("%08d-0000-4000-8000-000000000000", len(s.deployments)+1)
	s.deployments = append(s.deployments, &Deployment{ID: id, Name: in.DeploymentName, Target: in.TargetArn, Components: in.Components, Created: time.Now(), Status: "ACTIVE", Job: cmp.Or(s.outcomes[in.TargetArn], JobSucceeded)})
	reply(w, map[string]any{"deploymentId": id, "iotJobId": "job-" + id, "iotJobArn": fmt.Sprintf("arn:aws:iot:%s:%s:job/job-%s", s.region, s.account, id)})
}

func (s *Server) latest(target string) *Deployment {
	var l *Deployment
	for _, d := range s.deployments {
		if d.Target == target {
			l = d
		}
	}
	return l
}

func (s *Server) listDeployments(w http.ResponseWriter, q url.Values) {
	target := q.Get("targetArn")
	var out []map[string]any
	l := s.latest(target)
	for _, d := range s.deployments {
		if target != "" && d.Target != target {
			continue
		}
		if q.Get("historyFilter") == "LATEST_ONLY" && d != l {
			continue
		}
		out = append(out, map[string]any{"deploymentId": d.ID, "deploymentName": d.Name, "targetArn": d.Target,
			"creationTimestamp": d.Created.Unix(), "deploymentStatus": d.Status, "isLatestForTarget": d == l})
	}
	reply(w, map[string]any{"deployments": out})
}

func (s *Server) getDeployment(w http.ResponseWriter, id string) {
	for _, d := range s.deployments {
		if d.ID == id {
			reply(w, map[string]any{"deploymentId": d.ID, "deploymentName": d.Name, "targetArn": d.Target, "components": d.Components,
				"iotJobId": "job-" + d.ID, "iotJobArn": fmt.Sprintf("arn:aws:iot:%s:%s:job/job-%s", s.region, s.account, d.ID),
				"creationTimestamp": d.Created.Unix(), "deploymentStatus": d.Status, "isLatestForTarget": d == s.latest(d.Target)})
			return
		}
	}
	s.fail(w, http.StatusNotFound, "ResourceNotFoundException", "deployment "+id+" not found")
}

// describeJob answers IoT DescribeJob for a deployment's job: one device,
// in progress on the first read, then as the deployment's Job says.
func (s *Server) describeJob(w http.ResponseWriter, id string) {
	for _, d := range s.deployments {
		if "job-"+d.ID != id {
			continue
		}
		d.JobDescribes++
		status, details := "IN_PROGRESS", map[string]int{"numberOfInProgressThings": 1}
		switch {
		case d.JobDescribes < 2 || d.Job == JobInProgress:
		case d.Job == JobFailed:
			status, details = "CANCELED", map[string]int{"numberOfFailedThings": 1}
		default:
			details = map[string]int{"numberOfSucceededThings": 1}
		}
		job := map[string]any{"jobId": id, "jobArn": fmt.Sprintf("arn:aws:iot:%s:%s:job/%s", s.region, s.account, id),
			"targetSelection": "CONTINUOUS", "targets": []string{d.Target}, "status": status, "jobProcessDetails": details}
		reply(w, map[string]any{"job": job})
		return
	}
	s.fail(w, http.StatusNotFound, "ResourceNotFoundException", "job "+id+" not found")
}
