package compiler

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/slm-project/slm/compiler/ir"
)

// readAccess reads project.read_access: S3 prefixes outside the storage
// blocks the execution role may read.
func (c *compilation) readAccess() {
	pr := c.cfg.Project
	if pr == nil {
		return
	}
	expr := pr.Body.ReadAccess
	uris, ok := c.ev.strings(expr, "read_access")
	if !ok {
		return
	}
	seen := map[string]bool{}
	for _, u := range uris {
		b, p, valid := splitS3URI(u)
		if !valid || bucketNameProblem(b) != "" {
			c.ev.errorf(expr.Range(), "Invalid read_access location", "read_access lists s3://BUCKET/PREFIX/ locations; %q is not one.", u)
			continue
		}
		if p != "" && !strings.HasSuffix(p, "/") {
			c.ev.errorf(expr.Range(), "Invalid read_access location", "read_access prefixes end with \"/\", so %q does not also grant %q-something; write \"s3://%s/%s/\".", u, p, b, p)
			continue
		}
		if p == "" {
			c.ev.add(warnf(expr.Range(), "Read access to a whole bucket", "read_access grants the execution role every object of bucket %q; least privilege is a prefix, such as \"s3://%s/datasets/intents/\".", b, b))
		}
		if seen[u] {
			continue
		}
		seen[u] = true
		c.p.Project.ReadAccess = append(c.p.Project.ReadAccess, ir.S3Location{Bucket: b, Prefix: p, URI: "s3://" + b + "/" + p})
	}
	sort.Slice(c.p.Project.ReadAccess, func(i, j int) bool { return c.p.Project.ReadAccess[i].URI < c.p.Project.ReadAccess[j].URI })
}

// splitS3URI splits s3://bucket/prefix; the prefix may be empty.
func splitS3URI(uri string) (bucket, prefix string, ok bool) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", false
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	return bucket, prefix, bucket != ""
}

// s3Covered says whether the execution role reaches an S3 location: a
// storage location (read and write) or, for reads, a read_access grant.
func (c *compilation) s3Covered(uri string, write bool) bool {
	b, p, ok := splitS3URI(uri)
	if !ok {
		return true // not an S3 location: refused elsewhere
	}
	for _, s := range c.p.Storage {
		if s.Bucket == b && strings.HasPrefix(p, s.Prefix) {
			return true
		}
	}
	if write {
		return false
	}
	for _, g := range c.p.Project.ReadAccess {
		if g.Bucket == b && strings.HasPrefix(p, g.Prefix) {
			return true
		}
	}
	return false
}

// checkS3Access makes every S3 location a step reads or writes one the
// generated execution role can reach, or a located diagnostic: dataset
// sources (and the defaults of the parameters they read), base models in
// S3, checkpoints. Outputs are storage references, covered by construction.
func (c *compilation) checkS3Access() {
	for _, d := range c.p.Datasets {
		expr := c.cfg.Datasets[d.Name].Body.Source
		c.checkRead(d.Source, expr.Range(), fmt.Sprintf("dataset %q reads", d.Name))
	}
	for _, f := range c.p.FineTunes {
		fb := c.cfg.FineTunes[f.Name].Body
		if f.BaseModel.S3URI != "" && fb.BaseModel != nil {
			c.checkRead(ir.Lit(f.BaseModel.S3URI), fb.BaseModel.S3URI.Range(), fmt.Sprintf("finetune %q reads its base model from", f.Name))
		}
		if f.CheckpointURI != "" && !c.s3Covered(f.CheckpointURI, true) {
			c.ev.errorf(fb.Checkpoints.Range(), "S3 location outside the pipeline's storage", "finetune %q writes checkpoints to %s, which no storage block holds, so the execution role cannot write there. Put checkpoints under a storage location, such as \"${storage.artifacts.uri}checkpoints/%s/\".", f.Name, f.CheckpointURI, f.Name)
		}
	}
}

// checkRead checks a location read at run time. A parameter's value is
// known only when the pipeline runs: its default (and the fixed part of a
// template) are checked, and a bare parameter without a default is a
// warning, since a value elsewhere fails with AccessDenied.
func (c *compilation) checkRead(v ir.Value, rng hcl.Range, what string) {
	var uris []string
	switch {
	case !v.IsRuntime():
		if s, ok := v.Literal.(string); ok {
			uris = append(uris, s)
		}
	default:
		parts := v.Join
		if v.Param != "" {
			parts = []ir.Value{v}
		}
		var withDefaults strings.Builder
		complete := true
		for _, p := range parts {
			if p.Param == "" {
				withDefaults.WriteString(fmt.Sprint(p.Literal))
				continue
			}
			d, ok := c.paramDefault(p.Param)
			if !ok {
				complete = false
				break
			}
			withDefaults.WriteString(d)
		}
		if complete {
			uris = append(uris, withDefaults.String())
		} else if len(parts) > 0 && parts[0].Param == "" {
			// The fixed leading part names the bucket (and a prefix).
			lead := fmt.Sprint(parts[0].Literal)
			if b, p, ok := splitS3URI(lead); ok && strings.Contains(strings.TrimPrefix(lead, "s3://"), "/") {
				uris = append(uris, "s3://"+b+"/"+p[:strings.LastIndex(p, "/")+1])
			} else {
				c.ev.add(warnf(rng, "S3 location known only at run time", "%s a location given at run time, with no default to check. The execution role reads only the storage locations and project read_access: a run-time value elsewhere fails with AccessDenied.", what))
			}
		} else {
			c.ev.add(warnf(rng, "S3 location known only at run time", "%s a location given at run time, with no default to check. The execution role reads only the storage locations and project read_access: a run-time value elsewhere fails with AccessDenied.", what))
		}
	}
	for _, u := range uris {
		if !c.s3Covered(u, false) {
			b, p, _ := splitS3URI(u)
			c.ev.errorf(rng, "S3 location outside the execution role's reach", "%s %s, which no storage block holds and project read_access does not grant, so the step would fail with AccessDenied. Grant it in the project block: read_access = [\"s3://%s/%s\"] (the narrowest prefix that holds the data), or move the data into a storage location.", what, u, b, p)
		}
	}
}

func (c *compilation) paramDefault(sm string) (string, bool) {
	for _, p := range c.p.Parameters {
		if p.SageMaker == sm && p.Default != nil {
			return fmt.Sprint(p.Default), true
		}
	}
	return "", false
}
