package compiler_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/stdlib/prepare"
)

const multiDataset = `
project "t" {
  environment      = "test"
  region           = "eu-west-1"
  account          = "123456789012"
  artifact_storage = storage.data
}
storage "data" {
  bucket = "t-data-bucket"
}
dataset "en" {
  source = "s3://t-data-bucket/en/"
  format = "jsonl"
}
dataset "de" {
  source      = "s3://t-data-bucket/de/"
  format      = "csv"
  text_field  = "utterance"
  label_field = "intent"
  label_map   = { gruss = "greeting" }
}
prepare "multi" {
  datasets = [dataset.en, dataset.de]
  output   = storage.data
}
`

// TestSeveralDatasetsCompile: a prepare over two datasets has one processing
// input per dataset, in the directory its prepare.json entry names, and the
// step accepts that prepare.json.
func TestSeveralDatasetsCompile(t *testing.T) {
	res := loadForEach(t, multiDataset, false)
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags.Error())
	}
	out, err := sagemaker.Generate(res.Pipeline, sagemaker.Code{Runner: []byte("r"), ORTLibrary: []byte("o"), TrainingSource: []byte("t")})
	if err != nil {
		t.Fatal(err)
	}
	def := string(out.Definition)
	for _, want := range []string{`"InputName": "raw-en"`, `"LocalPath": "/opt/ml/processing/input/raw/en"`, `"InputName": "raw-de"`, `"S3Uri": "s3://t-data-bucket/de/"`} {
		if !strings.Contains(def, want) {
			t.Errorf("definition lacks %s", want)
		}
	}
	var cfgBytes []byte
	for _, f := range out.Files {
		if f.Name == "prepare.json" {
			cfgBytes = f.Content
		}
	}
	cfg, err := prepare.ParseConfig(cfgBytes)
	if err != nil {
		t.Fatalf("the step refuses the compiled prepare.json: %v\n%s", err, cfgBytes)
	}
	got, _ := json.Marshal(cfg.Datasets)
	if len(cfg.Datasets) != 2 || cfg.Datasets[0].Name != "en" || cfg.Datasets[1].LabelMap["gruss"] != "greeting" || cfg.Datasets[1].TextField != "utterance" {
		t.Errorf("datasets %s", got)
	}
	both := strings.Replace(multiDataset, "datasets = [dataset.en, dataset.de]", "datasets = [dataset.en, dataset.de]\n  dataset = dataset.en", 1)
	if r := loadForEach(t, both, false); !strings.Contains(r.Diags.Error(), "Both dataset and datasets") {
		t.Errorf("dataset and datasets together: %v", r.Diags)
	}
}
