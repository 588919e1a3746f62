package main

import (
	"context"
	"fmt"

	"github.com/slm-project/slm/stdlib/evaluate"
	"github.com/slm-project/slm/stdlib/evaluate/edgemodel"
	"github.com/spf13/cobra"
)

// evaluateArgs are the flags of `slm step evaluate` (SPEC.md section 2.3).
type evaluateArgs struct {
	model, test, output, bundleName, ortLib, predictions string
	threads                                              int
}

func newStepEvaluateCommand() *cobra.Command {
	var a evaluateArgs
	cmd := &cobra.Command{
		Use:   "evaluate --model DIR_OR_MODEL_TAR_GZ --test DIR_OR_FILE --output DIR [--bundle-name bundle]",
		Short: "Score a model bundle on a test set with the edge runtime",
		Long: "Loads the bundle with the edge runtime's own code, classifies every test example and writes\n" +
			"evaluation.json (the metrics the quality gates read), report.md and confusion.svg.\n" +
			"--model is a bundle directory, a model directory holding --bundle-name, or SageMaker's model.tar.gz.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !edgemodel.Available {
				_, err := edgemodel.Open(cmd.Context(), "", edgemodel.Options{})
				return fmt.Errorf("evaluate: %w", err)
			}
			res, err := evaluate.Run(cmd.Context(), evaluate.Options{
				Model: a.model, Test: a.test, Output: a.output, BundleName: a.bundleName, Predictions: a.predictions,
				Open: func(ctx context.Context, dir string) (evaluate.Model, error) {
					return edgemodel.Open(ctx, dir, edgemodel.Options{ORTLibrary: a.ortLib, IntraOpThreads: a.threads})
				},
			})
			if err != nil {
				return fmt.Errorf("evaluate: %w", err)
			}
			c := res.Evaluation.Classification
			cmd.Printf("evaluate: model %s, %d examples: accuracy %.4f, macro_f1 %.4f, p95 %.3f ms (%s)\n",
				res.Evaluation.ModelVersion, res.Evaluation.Examples, c.Accuracy.Value, c.MacroF1.Value, res.Evaluation.Latency.P95.Value, a.output)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&a.model, "model", "", "bundle directory, model directory holding the bundle, or model.tar.gz")
	f.StringVar(&a.test, "test", "", "test data: prepare's test/ directory or a JSONL file of {\"text\", \"label\"}")
	f.StringVar(&a.output, "output", "", "directory for evaluation.json, report.md and confusion.svg")
	f.StringVar(&a.bundleName, "bundle-name", "bundle", "the bundle directory inside a model directory or archive (bundle, bundle-int8)")
	f.StringVar(&a.ortLib, "ort-lib", "", "ONNX Runtime library (default: $SLM_ORT_LIB, then libonnxruntime.so.1 next to the binary)")
	f.StringVar(&a.predictions, "predictions", "", "also write every example's prediction and logits to this JSONL file")
	f.IntVar(&a.threads, "threads", 0, "ONNX Runtime intra-op threads (0: ONNX Runtime's choice)")
	for _, name := range []string{"model", "test", "output"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}
