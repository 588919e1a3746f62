package greengrass

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/backends/terraform"
)

// The recipe, in the documented key casing; struct field order fixes the JSON key order.
type recipe struct {
	RecipeFormatVersion    string                `json:"RecipeFormatVersion"`
	ComponentName          string                `json:"ComponentName"`
	ComponentVersion       string                `json:"ComponentVersion"`
	ComponentDescription   string                `json:"ComponentDescription"`
	ComponentPublisher     string                `json:"ComponentPublisher"`
	ComponentConfiguration *componentConfig      `json:"ComponentConfiguration,omitempty"`
	ComponentDependencies  map[string]dependency `json:"ComponentDependencies,omitempty"`
	Manifests              []manifest            `json:"Manifests"`
}

type componentConfig struct {
	DefaultConfiguration map[string]any `json:"DefaultConfiguration"`
}

type dependency struct {
	VersionRequirement string `json:"VersionRequirement"`
	DependencyType     string `json:"DependencyType"`
}

type manifest struct {
	Platform  platform             `json:"Platform"`
	Lifecycle map[string]lifecycle `json:"Lifecycle"`
	Artifacts []recipeArtifact     `json:"Artifacts"`
}

type platform struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture,omitempty"`
}

type lifecycle struct {
	Script            string `json:"Script"`
	RequiresPrivilege bool   `json:"RequiresPrivilege"`
	Timeout           int    `json:"Timeout,omitempty"`
}

type recipeArtifact struct {
	URI        string     `json:"URI"`
	Digest     string     `json:"Digest"`
	Algorithm  string     `json:"Algorithm"`
	Unarchive  string     `json:"Unarchive"`
	Permission permission `json:"Permission"`
}

type permission struct {
	Read    string `json:"Read"`
	Execute string `json:"Execute"`
}

const (
	recipeFormatVersion = "2020-01-25"
	publisher           = "slm"
	// versionMajor is the generation of slm's component layout; it changes when a recipe's shape
	// changes incompatibly (new artifact layout, new run contract).
	versionMajor = 1
)

// finish fills in the component version by the documented rule and returns the recipe JSON.
//
// Version rule: MAJOR.A.B where MAJOR is versionMajor and A and B are the first two 16-bit words of the
// SHA-256 of the recipe with an empty version, in decimal (each at most 65535, within the nucleus' limit
// of 999999; the whole at most 13 characters, within its 64). The same content always gets the same
// version, so creating a component version is idempotent, and any change (an artifact's bytes, a
// default, a dependency's version) gets a new one with a 2^-32 chance of a clash, which CreateComponentVersion
// reports rather than overwriting.
func finish(r *recipe) ([]byte, error) {
	r.ComponentVersion = ""
	unversioned, err := encode(r)
	if err != nil {
		return nil, err
	}
	r.ComponentVersion = componentVersion(unversioned)
	return encode(r)
}

func componentVersion(content []byte) string {
	sum := sha256.Sum256(content)
	return fmt.Sprintf("%d.%d.%d", versionMajor, binary.BigEndian.Uint16(sum[0:2]), binary.BigEndian.Uint16(sum[2:4]))
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("greengrass backend: encoding: %w", err)
	}
	return buf.Bytes(), nil
}

// place records an artifact for upload to the edge bucket and returns its recipe entry.
func (t *target) place(f artifact.File, execute bool) recipeArtifact {
	sha := f.SHA256()
	uri := "s3://" + t.st.Bucket + "/" + t.st.Prefix + terraform.ArtifactsPrefix + sha + "/" + f.Name
	t.uploads[uri] = f.Upload(uri, "edge-artifacts/"+sha+"/"+f.Name)
	t.files[uri] = f
	raw, _ := hex.DecodeString(sha)
	perm := permission{Read: "OWNER", Execute: "NONE"}
	if execute {
		perm.Execute = "OWNER"
	}
	return recipeArtifact{URI: uri, Digest: base64.StdEncoding.EncodeToString(raw), Algorithm: "SHA-256", Unarchive: "NONE", Permission: perm}
}
