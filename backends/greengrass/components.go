package greengrass

import (
	"fmt"
	"sort"
	"strings"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/backends/terraform"
)

// ModelSuffix names the model component after the inference component: <component_name>.Model.
const ModelSuffix = ".Model"

// bundleArchive is the model bundle archive's file name on the device.
const bundleArchive = "bundle.tar.gz"

// modelComponent is the component carrying the model bundle archive, unpacked on install into its work
// directory as bundle/ (Greengrass unarchives only ZIP, the bundle archive is tar.gz). The unpack is
// atomic: a failed install leaves the previous bundle in place.
func (t *target) modelComponent(model artifact.File) ([]byte, Component, error) {
	e := t.e
	model.Name = bundleArchive
	if model.Role == "" {
		model.Role = "model bundle (" + e.Variant + ") for " + e.Name
	}
	art := t.place(model, false)
	name := e.ComponentName + ModelSuffix
	script := strings.Join([]string{
		"set -eu",
		"rm -rf {work:path}/bundle.tmp",
		"mkdir -p {work:path}/bundle.tmp",
		"tar -xzf {artifacts:path}/" + bundleArchive + " -C {work:path}/bundle.tmp",
		"rm -rf {work:path}/bundle",
		"mv {work:path}/bundle.tmp {work:path}/bundle",
	}, "\n")
	r := &recipe{
		RecipeFormatVersion:  recipeFormatVersion,
		ComponentName:        name,
		ComponentDescription: fmt.Sprintf("Model bundle (%s) of %s for edge target %s", e.Variant, t.p.Project.PipelineName, e.Name),
		ComponentPublisher:   publisher,
		Manifests: []manifest{{
			Platform:  platform{OS: "linux"},
			Lifecycle: map[string]lifecycle{"install": {Script: script, Timeout: 600}},
			Artifacts: []recipeArtifact{art},
		}},
	}
	b, err := finish(r)
	if err != nil {
		return nil, Component{}, err
	}
	return b, Component{Name: name, Version: r.ComponentVersion, Recipe: recipePath(name, r.ComponentVersion), Artifacts: []string{art.URI}}, nil
}

// Configuration keys of the inference component. The defaults are the runtime block's values; the
// deployment merges the target's identity (the metric dimensions) and resets the rest.
const (
	cfgListen           = "listen"
	cfgThreads          = "threads"
	cfgMaxBatch         = "maxBatch"
	cfgWorkers          = "workers"
	cfgMaxWait          = "maxWait"
	cfgMaxQueue         = "maxQueue"
	cfgLogLevel         = "logLevel"
	cfgMetricsNamespace = "metricsNamespace"
	cfgProject          = "project"
	cfgEnvironment      = "environment"
	cfgEdgeTarget       = "edgeTarget"
)

// inferenceComponent runs slm-edge with the ONNX Runtime library beside it, one manifest per platform,
// reading the model bundle from the model component's work directory.
func (t *target) inferenceComponent(runtime map[string]RuntimeFiles, model Component) ([]byte, Component, error) {
	e := t.e
	rt := e.Runtime
	comp := Component{Name: e.ComponentName, DependsOn: []string{model.Name + " =" + model.Version}}
	r := &recipe{
		RecipeFormatVersion:  recipeFormatVersion,
		ComponentName:        e.ComponentName,
		ComponentDescription: fmt.Sprintf("slm-edge serving the %s model of %s on edge target %s", e.Variant, t.p.Project.PipelineName, e.Name),
		ComponentPublisher:   publisher,
		ComponentConfiguration: &componentConfig{DefaultConfiguration: map[string]any{
			cfgListen:           rt.Listen,
			cfgThreads:          rt.Threads,
			cfgMaxBatch:         rt.MaxBatch,
			cfgWorkers:          rt.Workers,
			cfgMaxWait:          rt.MaxWait,
			cfgMaxQueue:         rt.MaxQueue,
			cfgLogLevel:         rt.LogLevel,
			cfgMetricsNamespace: terraform.EdgeMetricsNamespace,
			cfgProject:          t.p.Project.Name,
			cfgEnvironment:      t.p.Project.Environment,
			cfgEdgeTarget:       e.Name,
		}},
		ComponentDependencies: map[string]dependency{
			model.Name: {VersionRequirement: "=" + model.Version, DependencyType: "HARD"},
		},
	}
	if len(e.Platforms) == 0 {
		return nil, Component{}, fmt.Errorf("%s: edge_target %q lists no platforms", e.Range, e.Name)
	}
	for _, pl := range e.Platforms {
		files, ok := runtime[pl.Architecture]
		if !ok || files.Edge.Size() == 0 || files.ORT.Size() == 0 {
			return nil, Component{}, fmt.Errorf("%s: edge_target %q runs on %s/%s, but no slm-edge binary and ONNX Runtime library were given for %s; build them first (make build-arm64 for aarch64)", e.Range, e.Name, pl.OS, pl.Architecture, pl.Architecture)
		}
		edge, ort := files.Edge, files.ORT
		edge.Name, ort.Name = "slm-edge", "libonnxruntime.so.1"
		if edge.Role == "" {
			edge.Role = "edge runtime (slm-edge, " + pl.OS + "/" + pl.Architecture + ")"
		}
		if ort.Role == "" {
			ort.Role = "ONNX Runtime library (" + pl.OS + "/" + pl.Architecture + ")"
		}
		a1, a2 := t.place(edge, true), t.place(ort, false)
		r.Manifests = append(r.Manifests, manifest{
			Platform:  platform{OS: pl.OS, Architecture: pl.Architecture},
			Lifecycle: map[string]lifecycle{"run": {Script: runScript(model.Name)}},
			Artifacts: []recipeArtifact{a1, a2},
		})
		comp.Platforms = append(comp.Platforms, pl.OS+"/"+pl.Architecture)
		comp.Artifacts = append(comp.Artifacts, a1.URI, a2.URI)
	}
	sort.Strings(comp.Artifacts)
	b, err := finish(r)
	if err != nil {
		return nil, Component{}, err
	}
	comp.Version = r.ComponentVersion
	comp.Recipe = recipePath(comp.Name, comp.Version)
	return b, comp, nil
}

// runScript is the inference component's run command: the runtime contract with slm-edge (see
// backends/greengrass/README.md). Metrics go, one CloudWatch EMF record a line, to a file the log
// manager ships.
func runScript(modelComponent string) string {
	flags := []string{
		"exec {artifacts:path}/slm-edge serve",
		"--bundle {" + modelComponent + ":work:path}/bundle",
		"--ort-lib {artifacts:path}/libonnxruntime.so.1",
		"--listen {configuration:/" + cfgListen + "}",
		"--threads {configuration:/" + cfgThreads + "}",
		"--max-batch {configuration:/" + cfgMaxBatch + "}",
		"--workers {configuration:/" + cfgWorkers + "}",
		"--max-wait {configuration:/" + cfgMaxWait + "}",
		"--max-queue {configuration:/" + cfgMaxQueue + "}",
		"--log-level {configuration:/" + cfgLogLevel + "}",
		"--metrics-file {work:path}/" + metricsDir + "/" + metricsFile,
		"--metrics-namespace {configuration:/" + cfgMetricsNamespace + "}",
		"--metrics-dimension Project={configuration:/" + cfgProject + "}",
		"--metrics-dimension Environment={configuration:/" + cfgEnvironment + "}",
		"--metrics-dimension EdgeTarget={configuration:/" + cfgEdgeTarget + "}",
	}
	return strings.Join(flags, " ")
}

func recipePath(name, version string) string {
	return "recipes/" + name + "-" + version + ".json"
}
