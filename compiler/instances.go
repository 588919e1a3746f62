package compiler

import (
	"fmt"
	"sort"
	"strings"
)

// The SageMaker instance types slm accepts, per job kind, with their
// accelerators. A type that is well-formed but not in this table (a typo
// such as ml.g9x.xlarge, or a training-only type on a processing step) is
// refused with a did-you-mean, so it never reaches CreateTrainingJob or gets
// a GPU image it cannot run.
//
// Source: the SageMaker API reference, ResourceConfig.InstanceType
// (TrainingInstanceType) and ProcessingClusterConfig.InstanceType
// (ProcessingInstanceType), botocore sagemaker/2017-07-24/service-2.json as of
// 2025; accelerator counts from the EC2 instance type pages (NVIDIA GPUs per
// instance; Trainium chips for trn1). Extend it when SageMaker adds types.

// Accelerator is the kind of accelerator an instance type carries.
type Accelerator string

// Accelerator kinds.
const (
	NoAccelerator Accelerator = ""
	NVIDIA        Accelerator = "nvidia"   // CUDA GPUs: the Hugging Face GPU images run here
	Trainium      Accelerator = "trainium" // AWS Neuron: needs a Neuron image
)

// InstanceInfo is what slm knows of one instance type.
type InstanceInfo struct {
	Training, Processing bool
	Accelerator          Accelerator
	// Accelerators is the number of GPUs (or Trainium chips) per instance.
	Accelerators int
}

// jobs a family is offered for.
const (
	forTraining   = 1
	forProcessing = 2
	forBoth       = forTraining | forProcessing
)

var instanceTypes = func() map[string]InstanceInfo {
	m := map[string]InstanceInfo{}
	add := func(family string, jobs int, acc Accelerator, sizes map[string]int) {
		for size, n := range sizes {
			m["ml."+family+"."+size] = InstanceInfo{Training: jobs&forTraining != 0, Processing: jobs&forProcessing != 0, Accelerator: acc, Accelerators: n}
		}
	}
	cpu := func(sizes ...string) map[string]int {
		out := map[string]int{}
		for _, s := range sizes {
			out[s] = 0
		}
		return out
	}
	// General purpose, compute and memory optimised (CPU only).
	add("t3", forBoth, NoAccelerator, cpu("medium", "large", "xlarge", "2xlarge"))
	add("m4", forBoth, NoAccelerator, cpu("xlarge", "2xlarge", "4xlarge", "10xlarge", "16xlarge"))
	add("m5", forBoth, NoAccelerator, cpu("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"))
	add("m6i", forBoth, NoAccelerator, cpu("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"))
	add("m7i", forBoth, NoAccelerator, cpu("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"))
	add("c4", forBoth, NoAccelerator, cpu("xlarge", "2xlarge", "4xlarge", "8xlarge"))
	add("c5", forBoth, NoAccelerator, cpu("xlarge", "2xlarge", "4xlarge", "9xlarge", "18xlarge"))
	add("c5n", forTraining, NoAccelerator, cpu("xlarge", "2xlarge", "4xlarge", "9xlarge", "18xlarge"))
	add("c6i", forBoth, NoAccelerator, cpu("xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"))
	add("c7i", forBoth, NoAccelerator, cpu("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"))
	add("r5", forProcessing, NoAccelerator, cpu("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"))
	add("r5d", forBoth, NoAccelerator, cpu("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"))
	add("r6i", forBoth, NoAccelerator, cpu("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"))
	add("r7i", forBoth, NoAccelerator, cpu("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"))
	// NVIDIA GPU families.
	add("p2", forBoth, NVIDIA, map[string]int{"xlarge": 1, "8xlarge": 8, "16xlarge": 16})
	add("p3", forBoth, NVIDIA, map[string]int{"2xlarge": 1, "8xlarge": 4, "16xlarge": 8})
	add("p3dn", forTraining, NVIDIA, map[string]int{"24xlarge": 8})
	add("p4d", forTraining, NVIDIA, map[string]int{"24xlarge": 8})
	add("p4de", forTraining, NVIDIA, map[string]int{"24xlarge": 8})
	add("p5", forTraining, NVIDIA, map[string]int{"48xlarge": 8})
	add("p5e", forTraining, NVIDIA, map[string]int{"48xlarge": 8})
	add("p5en", forTraining, NVIDIA, map[string]int{"48xlarge": 8})
	gSizes := map[string]int{"xlarge": 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "16xlarge": 1, "12xlarge": 4, "24xlarge": 4, "48xlarge": 8}
	add("g4dn", forBoth, NVIDIA, map[string]int{"xlarge": 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "16xlarge": 1, "12xlarge": 4})
	add("g5", forBoth, NVIDIA, gSizes)
	add("g6", forBoth, NVIDIA, gSizes)
	add("g6e", forBoth, NVIDIA, gSizes)
	// AWS Trainium (Neuron SDK images only).
	add("trn1", forTraining, Trainium, map[string]int{"2xlarge": 1, "32xlarge": 16})
	add("trn1n", forTraining, Trainium, map[string]int{"32xlarge": 16})
	return m
}()

// LookupInstance returns what slm knows of an instance type.
func LookupInstance(instanceType string) (InstanceInfo, bool) {
	i, ok := instanceTypes[instanceType]
	return i, ok
}

// nvidiaGPUs is the number of NVIDIA GPUs of an instance type (0 for CPU,
// Trainium and unknown types).
func nvidiaGPUs(instanceType string) int {
	if i, ok := instanceTypes[instanceType]; ok && i.Accelerator == NVIDIA {
		return i.Accelerators
	}
	return 0
}

// instanceProblem says why a well-formed instance type cannot run a job of
// the given kind, with a did-you-mean; "" when it can.
func instanceProblem(instanceType string, training bool) string {
	kind, ok := "processing", func(i InstanceInfo) bool { return i.Processing }
	if training {
		kind, ok = "training", func(i InstanceInfo) bool { return i.Training }
	}
	info, known := instanceTypes[instanceType]
	if known && ok(info) {
		return ""
	}
	var candidates []string
	families := map[string]bool{}
	for name, i := range instanceTypes {
		if ok(i) {
			candidates = append(candidates, name)
			families[strings.Split(name, ".")[1]] = true
		}
	}
	sort.Strings(candidates)
	if known {
		return fmt.Sprintf("SageMaker does not offer %s for %s jobs.%s", instanceType, kind, closest(instanceType, candidates))
	}
	parts := strings.Split(instanceType, ".")
	if len(parts) == 3 && families[parts[1]] {
		var sizes []string
		for _, c := range candidates {
			if strings.HasPrefix(c, "ml."+parts[1]+".") {
				sizes = append(sizes, strings.TrimPrefix(c, "ml."+parts[1]+"."))
			}
		}
		sort.Strings(sizes)
		return fmt.Sprintf("the %s family has no size %q for %s jobs; its sizes are %s.%s", parts[1], parts[2], kind, strings.Join(sizes, ", "), closest(instanceType, candidates))
	}
	return fmt.Sprintf("SageMaker has no instance family %q for %s jobs (slm's table of SageMaker instance types is in compiler/instances.go).%s", parts[min(1, len(parts)-1)], kind, closest(instanceType, candidates))
}
