package compiler

import (
	"fmt"
	"net"
	"regexp"
	"strings"
)

// AWS naming rules, checked at compile time so a plan never carries a name
// that CreateBucket or CreatePipeline would refuse.
var (
	regionPattern        = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
	accountPattern       = regexp.MustCompile(`^[0-9]{12}$`)
	instanceTypePattern  = regexp.MustCompile(`^ml\.[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|[0-9]*xlarge)$`)
	pipelineNamePattern  = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$`)
	packageGroupPattern  = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`)
	kmsKeyARNPattern     = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[a-zA-Z0-9/_-]+$`)
	thingGroupPattern    = regexp.MustCompile(`^[a-zA-Z0-9:_-]{1,128}$`)
	componentNamePattern = regexp.MustCompile(`^[a-zA-Z0-9-_.]{1,128}$`)
	commitPattern        = regexp.MustCompile(`^[0-9a-f]{40}$`)
	hubIDPattern         = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$`)
	s3URIPattern         = regexp.MustCompile(`^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$`)
	tagKeyPattern        = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`)
	emailPattern         = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	ecrImagePattern      = regexp.MustCompile(`^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$`)
)

// bucketNameProblem returns why name is not a valid S3 bucket name, or "".
// The rules are S3's general purpose bucket naming rules.
func bucketNameProblem(name string) string {
	switch {
	case len(name) < 3 || len(name) > 63:
		return "it must be 3 to 63 characters long"
	case strings.ToLower(name) != name:
		return "it must be lower case"
	case !isAlnum(name[0]) || !isAlnum(name[len(name)-1]):
		return "it must start and end with a letter or digit"
	case strings.Contains(name, ".."):
		return "it must not contain two adjacent periods"
	case net.ParseIP(name) != nil:
		return "it must not be formatted as an IP address"
	case strings.HasPrefix(name, "xn--") || strings.HasPrefix(name, "sthree-"):
		return "it must not start with \"xn--\" or \"sthree-\""
	case strings.HasSuffix(name, "-s3alias") || strings.HasSuffix(name, "--ol-s3"):
		return "it must not end with \"-s3alias\" or \"--ol-s3\""
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return fmt.Sprintf("%q is not allowed: only lower-case letters, digits, hyphens and periods are", r)
		}
	}
	if strings.Contains(name, ".") {
		return "periods break TLS for virtual-hosted bucket URLs; use hyphens"
	}
	return ""
}

func isAlnum(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }

// camel turns a snake_case name into the CamelCase SageMaker convention:
// input_data_uri -> InputDataUri.
func camel(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if r == '_' || r == '-' {
			up = true
			continue
		}
		if up {
			b.WriteString(strings.ToUpper(string(r)))
			up = false
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
