package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
)

// Deployed is what is deployed, as a state reader found it. It is plain
// values so the comparison is tested without AWS.
type Deployed struct {
	Offline   bool
	Account   string
	Region    string
	CallerARN string
	// Pipeline is nil when no pipeline of the plan's name exists.
	Pipeline *DeployedPipeline
	// Objects are the uploads' S3 objects found, by URI.
	Objects map[string]DeployedObject
	// Components are the Greengrass component versions that exist, as
	// "name version".
	Components map[string]bool
	// Deployments are the latest Greengrass deployment of each target
	// read, by target ARN.
	Deployments map[string]DeployedDeployment
}

// DeployedDeployment is a target's latest Greengrass deployment.
type DeployedDeployment struct {
	ID         string
	Status     string
	Components map[string]string
}

// DeployedPipeline is a deployed SageMaker pipeline.
type DeployedPipeline struct {
	Name       string
	ARN        string
	Definition []byte
	RoleARN    string
	Tags       map[string]string
}

// DeployedObject is an S3 object that exists.
type DeployedObject struct {
	// SHA256 is the object's SHA-256 checksum (hex) when S3 has one.
	SHA256 string
}

// Pipeline reads in State.Reads.
const (
	ReadPipeline   = "sagemaker-pipeline"
	ReadObject     = "s3-object"
	ReadComponent  = "greengrass-component"
	ReadDeployment = "greengrass-deployment"
)

// DigestOf is the digest recorded for bytes read.
func DigestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Compare sets every item's action from what is deployed and records in
// p.State what the plan was computed against. definition is the planned
// pipeline definition.
func Compare(p *Plan, definition []byte, d Deployed) error {
	p.State = State{Offline: d.Offline, Account: d.Account, Region: d.Region, CallerARN: d.CallerARN, Reads: []Observed{}}
	t := &p.Target
	t.DefinitionSHA256 = DigestOf(definition)
	t.Changes = nil
	t.DeployedSHA256 = ""
	if d.Offline {
		t.Action = Create
		for i := range p.Uploads {
			p.Uploads[i].Action = Create
		}
		for i := range p.Steps {
			p.Steps[i].Action = Create
		}
		for i := range p.Resources {
			if p.Resources[i].Kind != "terraform" {
				p.Resources[i].Action = Create
			}
		}
		return nil
	}
	r := Observed{Kind: ReadPipeline, ID: t.Name}
	if dp := d.Pipeline; dp == nil {
		t.Action = Create
	} else {
		r.Exists, r.SHA256 = true, DigestOf(dp.Definition)
		t.DeployedSHA256 = r.SHA256
		changes, err := DiffDefinitions(dp.Definition, definition)
		if err != nil {
			return fmt.Errorf("comparing with the deployed pipeline %s: %w", t.Name, err)
		}
		t.Changes = changes
		switch {
		case len(changes) > 0 || dp.RoleARN != t.RoleARN:
			t.Action = Update
			if dp.RoleARN != t.RoleARN {
				o, n := dp.RoleARN, t.RoleARN
				t.Changes = append([]Change{{Action: Update, Path: "RoleArn", Old: &o, New: &n}}, t.Changes...)
			}
		default:
			t.Action = NoOp
		}
	}
	p.State.Reads = append(p.State.Reads, r)
	stepAction := map[string]Action{}
	for _, c := range t.Changes {
		switch {
		case c.Step == "":
		case c.Path == "":
			stepAction[c.Step] = c.Action
		default:
			stepAction[c.Step] = Update
		}
	}
	for i := range p.Steps {
		s := &p.Steps[i]
		switch a, ok := stepAction[s.Name]; {
		case t.Action == Create:
			s.Action = Create
		case ok:
			s.Action = a
		default:
			s.Action = NoOp
		}
	}
	for i := range p.Uploads {
		u := &p.Uploads[i]
		o, ok := d.Objects[u.URI]
		r := Observed{Kind: ReadObject, ID: u.URI, Exists: ok}
		u.Action = Create
		if ok {
			r.SHA256 = o.SHA256
			u.Action = NoOp
			// An object under a content-addressed key whose checksum is
			// not the key's digest was written by something else: put
			// the right bytes back.
			if o.SHA256 != "" && o.SHA256 != u.SHA256 {
				u.Action = Replace
			}
		}
		p.State.Reads = append(p.State.Reads, r)
	}
	for i := range p.Resources {
		r := &p.Resources[i]
		switch r.Kind {
		case "greengrass-component":
			ok := d.Components[r.Type+" "+r.Name]
			p.State.Reads = append(p.State.Reads, Observed{Kind: ReadComponent, ID: r.Address, Exists: ok})
			r.Action = Create
			if ok {
				r.Action = NoOp
			}
		case "greengrass-deployment":
			dd, ok := d.Deployments[r.TargetARN]
			o := Observed{Kind: ReadDeployment, ID: r.TargetARN, Exists: ok}
			r.Action = Create
			r.Deployed = nil
			if ok {
				o.SHA256 = DigestOf([]byte(dd.ID))
				r.Deployed = dd.Components
				if maps.Equal(dd.Components, r.Components) && dd.Status != "FAILED" && dd.Status != "CANCELED" {
					r.Action = NoOp
				}
			}
			p.State.Reads = append(p.State.Reads, o)
		}
	}
	return nil
}

// Counts are the summary line's figures: items apply creates, changes and
// destroys (the pipeline, uploads, Greengrass components and deployments;
// Terraform's resources are applied by terraform and not counted).
type Counts struct{ Add, Change, Destroy, Unchanged int }

// Count tallies p's items.
func Count(p *Plan) Counts {
	var c Counts
	add := func(a Action) {
		switch a {
		case Create:
			c.Add++
		case Update:
			c.Change++
		case Replace:
			c.Add++
			c.Destroy++
		case Delete:
			c.Destroy++
		case NoOp:
			c.Unchanged++
		}
	}
	add(p.Target.Action)
	for _, u := range p.Uploads {
		add(u.Action)
	}
	for _, r := range p.Resources {
		if r.Kind != "terraform" {
			add(r.Action)
		}
	}
	return c
}

// HasChanges says applying p would change anything.
func HasChanges(p *Plan) bool {
	c := Count(p)
	return c.Add+c.Change+c.Destroy > 0
}
