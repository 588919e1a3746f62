package compiler

import (
	"fmt"
	"sort"
	"strings"
)

// Container images. SageMaker's deep learning containers live in one ECR
// account in most regions and in a per-region account in opt-in regions.
// The table is documented in SPEC.md; a compute block's image attribute
// overrides it.
var dlcAccounts = map[string]string{
	"af-south-1":     "626614931356",
	"ap-east-1":      "871362719292",
	"ap-northeast-1": "763104351884",
	"ap-northeast-2": "763104351884",
	"ap-northeast-3": "364406365360",
	"ap-south-1":     "763104351884",
	"ap-southeast-1": "763104351884",
	"ap-southeast-2": "763104351884",
	"ca-central-1":   "763104351884",
	"eu-central-1":   "763104351884",
	"eu-north-1":     "763104351884",
	"eu-south-1":     "692866216735",
	"eu-west-1":      "763104351884",
	"eu-west-2":      "763104351884",
	"eu-west-3":      "763104351884",
	"me-south-1":     "217643126080",
	"sa-east-1":      "763104351884",
	"us-east-1":      "763104351884",
	"us-east-2":      "763104351884",
	"us-west-1":      "763104351884",
	"us-west-2":      "763104351884",
}

// Default framework versions of the Hugging Face PyTorch training container
// the training step is written and tested for (stdlib/python/README.md).
const (
	defaultPyTorch      = "2.9.0"
	defaultTransformers = "5.3.0"
	defaultPython       = "py312"
	defaultCUDA         = "cu130"
	// The OS suffix of the container tags.
	imageOS = "ubuntu22.04"
	// The processing image runs the statically linked slm step runner
	// (prepare, evaluate); any glibc Linux image would do, this one is in
	// the same ECR account as the training image.
	processingRepo = "pytorch-inference"
	processingTag  = "2.5.1-cpu-py311-ubuntu22.04"
)

func supportedRegions() string {
	rs := make([]string, 0, len(dlcAccounts))
	for r := range dlcAccounts {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	return strings.Join(rs, ", ")
}

func ecrHost(account, region string) string {
	return fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com", account, region)
}

// trainingImage is the Hugging Face PyTorch training image for a framework
// pin. The published images are GPU builds; gpu=false names a CPU tag for
// callers that know one exists.
func trainingImage(region string, fw frameworkPins, gpu bool) (string, bool) {
	acct, ok := dlcAccounts[region]
	if !ok {
		return "", false
	}
	device := "cpu-" + fw.python + "-" + imageOS
	if gpu {
		device = "gpu-" + fw.python + "-" + fw.cuda + "-" + imageOS
	}
	return fmt.Sprintf("%s/huggingface-pytorch-training:%s-transformers%s-%s", ecrHost(acct, region), fw.pytorch, fw.transformers, device), true
}

// inferenceImage is the Hugging Face PyTorch inference image (CPU) a
// registered model package names, for the training framework's versions.
func inferenceImage(region string, fw frameworkPins) (string, bool) {
	acct, ok := dlcAccounts[region]
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%s/huggingface-pytorch-inference:%s-transformers%s-cpu-%s-%s", ecrHost(acct, region), fw.pytorch, fw.transformers, fw.python, imageOS), true
}

func processingImage(region string) (string, bool) {
	acct, ok := dlcAccounts[region]
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%s/%s:%s", ecrHost(acct, region), processingRepo, processingTag), true
}

type frameworkPins struct{ pytorch, transformers, python, cuda string }
